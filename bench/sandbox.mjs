// Sandbox throughput (autocannon, keep-alive) for the token and tenant-page endpoints, and the
// sandbox's memory before and after 100,000 requests.
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { fmt, table } from "./lib.mjs";

const CONNECTIONS = 16;
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);

export async function benchSandbox() {
  const child = fork(fileURLToPath(new URL("./sandbox-child.mjs", import.meta.url)), {
    execArgv: ["--expose-gc"],
    env: { ...process.env, BENCH_SANDBOX_TTL: "9000" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [ready] = await once(child, "message");
  const ask = async (what) => {
    child.send(what);
    const [reply] = await once(child, "message");
    return reply;
  };

  const basic = Buffer.from(`${ready.clientId}:${ready.clientSecret}`).toString("base64");
  const form = new URLSearchParams({
    grant_type: "password",
    username: ready.username,
    password: ready.password,
  }).toString();
  const tokenResponse = await fetch(`${ready.url}/idm/v2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
  const { access_token: accessToken } = await tokenResponse.json();

  const pageRequest = {
    url: `${ready.url}/idm/api/v8/tenants?page=0&pageSize=10`,
    headers: { authorization: `Bearer ${accessToken}` },
  };
  const tokenRequest = {
    url: `${ready.url}/idm/v2/token`,
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form,
  };

  // Warm up, then take the baseline.
  await load({ ...pageRequest, amount: 5_000 });
  const before = await ask("memory");
  const pageLoad = await load({ ...pageRequest, amount: MEMORY_REQUESTS });
  const after = await ask("memory");

  const pageThroughput = await load({ ...pageRequest, duration: DURATION_S });
  const tokensBefore = await ask("memory");
  const tokenThroughput = await load({ ...tokenRequest, duration: DURATION_S });
  const tokensAfter = await ask("memory");

  child.send("close");
  await once(child, "exit");
  return {
    connections: CONNECTIONS,
    memoryRequests: MEMORY_REQUESTS,
    before,
    after,
    pageLoad,
    pageThroughput,
    tokenThroughput,
    tokensBefore,
    tokensAfter,
  };
}

async function load(options) {
  const result = await autocannon({ connections: CONNECTIONS, pipelining: 1, ...options });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const mib = (bytes) => fmt(bytes / 2 ** 20, 1);

export function printSandbox(r) {
  console.log(`### Sandbox throughput (autocannon, ${r.connections} keep-alive connections)\n`);
  table([
    {
      endpoint: "GET tenants page (bearer)",
      "requests/s": fmt(r.pageThroughput.rps, 0),
      "p50 ms": r.pageThroughput.p50,
      "p99 ms": r.pageThroughput.p99,
      "non-2xx": r.pageThroughput.non2xx,
      errors: r.pageThroughput.errors,
    },
    {
      endpoint: "POST token (password grant)",
      "requests/s": fmt(r.tokenThroughput.rps, 0),
      "p50 ms": r.tokenThroughput.p50,
      "p99 ms": r.tokenThroughput.p99,
      "non-2xx": r.tokenThroughput.non2xx,
      errors: r.tokenThroughput.errors,
    },
  ]);
  console.log(
    `### Sandbox memory over ${fmt(r.memoryRequests, 0)} tenant-page requests (after GC)\n`,
  );
  table([
    {
      when: "before",
      "heap MiB": mib(r.before.heapUsed),
      "RSS MiB": mib(r.before.rss),
      "tenants stored": r.before.stats.tenants ?? "-",
    },
    {
      when: "after",
      "heap MiB": mib(r.after.heapUsed),
      "RSS MiB": mib(r.after.rss),
      "tenants stored": r.after.stats.tenants ?? "-",
    },
  ]);
  console.log(
    `Heap growth: ${mib(r.after.heapUsed - r.before.heapUsed)} MiB over ${fmt(r.pageLoad.requests, 0)} requests (non-2xx: ${r.pageLoad.non2xx}).`,
  );
  const issued = r.tokenThroughput.requests;
  console.log(
    `Token load: ${fmt(issued, 0)} tokens issued and kept until expiry; heap ${mib(r.tokensBefore.heapUsed)} -> ${mib(r.tokensAfter.heapUsed)} MiB (${fmt((r.tokensAfter.heapUsed - r.tokensBefore.heapUsed) / Math.max(1, issued), 0)} bytes a stored token).\n`,
  );
}
