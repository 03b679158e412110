// Grants per request: how many token requests the sandbox sees for many API calls, with a token
// lifetime short enough to force renewals during the run.
import { bearerAuth, createMsxClient, createTokenProvider, createTransport } from "passgrant";
import { startSandbox } from "passgrant/sandbox";
import { fmt, table } from "./lib.mjs";

const TTL_SECONDS = 1;
const SKEW_MS = 200;

export async function benchGrants() {
  const sandbox = await startSandbox({ accessTokenTtlSeconds: TTL_SECONDS, seed: true });
  const transport = createTransport();
  const makeClient = () => {
    const provider = createTokenProvider({
      tokenUrl: `${sandbox.url}/idm/v2/token`,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      grant: { type: "password", username: sandbox.username, password: sandbox.password },
      fetch: transport.fetch,
      renewSkewMs: SKEW_MS,
    });
    return createMsxClient({
      baseUrl: sandbox.url,
      fetch: transport.fetch,
      middleware: [bearerAuth(provider)],
    });
  };
  const page = { params: { query: { page: 0, pageSize: 1 } } };
  const results = [];

  const measure = async (name, calls, run) => {
    const before = snapshot(sandbox.stats());
    const started = performance.now();
    const statuses = await run();
    const seconds = (performance.now() - started) / 1000;
    const after = snapshot(sandbox.stats());
    const failed = statuses.filter((s) => s !== 200).length;
    const grants = after.tokenRequests - before.tokenRequests;
    const apiRequests = after.requests - before.requests - grants;
    // A token is usable for TTL - skew; the first grant starts the first lifetime.
    const lifetimes = Math.max(1, Math.ceil((seconds * 1000) / (TTL_SECONDS * 1000 - SKEW_MS)));
    results.push({
      run: name,
      calls,
      "non-200": failed,
      "API requests seen": apiRequests,
      "401s renewed and replayed": apiRequests - calls,
      "token requests": grants,
      "by grant": Object.entries(diff(before.byGrant, after.byGrant))
        .map(([g, n]) => `${g}: ${n}`)
        .join(", "),
      seconds: fmt(seconds, 2),
      "token lifetimes spanned": lifetimes,
    });
  };

  {
    const client = makeClient();
    await measure("10,000 sequential", 10_000, async () => {
      const statuses = [];
      for (let i = 0; i < 10_000; i++) {
        const { response } = await client.GET("/idm/api/v8/tenants", page);
        statuses.push(response.status);
      }
      return statuses;
    });
  }
  {
    const client = makeClient();
    await measure("1,000 concurrent, cold", 1_000, async () => {
      const responses = await Promise.all(
        Array.from({ length: 1_000 }, () => client.GET("/idm/api/v8/tenants", page)),
      );
      return responses.map((r) => r.response.status);
    });
  }

  await transport.close();
  await sandbox.close();
  return { ttlSeconds: TTL_SECONDS, skewMs: SKEW_MS, results };
}

function snapshot(stats) {
  return {
    requests: stats.requests,
    tokenRequests: stats.tokenRequests,
    byGrant: { ...stats.tokenRequestsByGrant },
  };
}

function diff(before, after) {
  const out = {};
  for (const [grant, n] of Object.entries(after)) {
    const d = n - (before[grant] ?? 0);
    if (d > 0) out[grant] = d;
  }
  return out;
}

export function printGrants({ ttlSeconds, skewMs, results }) {
  console.log(
    `### Grants per request (sandbox token lifetime ${ttlSeconds} s, renewal skew ${skewMs} ms)\n`,
  );
  table(results);
}
