// Child process for the store's memory bound: starts the built sandbox with the limits given in
// argv[2] (JSON), tries to create argv[3] tenants with the largest image the spec allows, and
// prints one JSON line with the statuses seen, the store's stats and the RSS and heap growth
// (after a full GC: run it with --expose-gc).
import { startSandbox } from "passgrant/sandbox";

const limits = JSON.parse(process.argv[2] ?? "{}");
const attempts = Number(process.argv[3] ?? "0");
const sandbox = await startSandbox({ ...limits });
const basic = Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString("base64");
const signIn = await fetch(`${sandbox.url}/idm/v2/token`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
  body: new URLSearchParams({
    grant_type: "password",
    username: sandbox.username,
    password: sandbox.password,
  }),
});
const { access_token: token } = await signIn.json();

// One tenant created and deleted before the baseline: the sandbox compiles an operation's
// validators on its first request, and that one-time cost is not the store's growth.
const auth = { authorization: `Bearer ${token}` };
const warm = await fetch(`${sandbox.url}/idm/api/v8/tenants`, {
  method: "POST",
  headers: { "content-type": "application/json", ...auth },
  body: JSON.stringify({ name: "warm-up", image: null }),
});
const { id: warmId } = await warm.json();
await (
  await fetch(`${sandbox.url}/idm/api/v8/tenants/${warmId}`, { method: "DELETE", headers: auth })
).arrayBuffer();

const settle = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage();
};
const before = settle();
const statuses = {};
const concurrency = 8;
let next = 0;
async function worker() {
  while (next < attempts) {
    const index = next++;
    const response = await fetch(`${sandbox.url}/idm/api/v8/tenants`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      // A fresh string each time, as separate requests would bring.
      body: JSON.stringify({ name: `t${index}`, image: String(index % 10).repeat(40_000) }),
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const after = settle();
const { tenants, tenantBytes } = sandbox.stats();
await sandbox.close();
process.stdout.write(
  `${JSON.stringify({ statuses, tenants, tenantBytes, rssGrowth: after.rss - before.rss, heapGrowth: after.heapUsed - before.heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`,
);
