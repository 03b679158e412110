// session.paginate() over 10,000 tenants on the embedded sandbox (in this process), against a
// raw-fetch loop fetching the same pages with the same token, in the same run: what the
// session's paging, validation, progress check and typed errors cost per listing.
import { createSession } from "passgrant";
import { startSandbox } from "passgrant/sandbox";
import { fmt, median, table } from "./lib.mjs";

const TENANTS = Number(process.env.BENCH_PAGINATE_TENANTS ?? 10_000);
const PAGE_SIZE = Number(process.env.BENCH_PAGINATE_PAGE_SIZE ?? 100);
const RUNS = Number(process.env.BENCH_PAGINATE_RUNS ?? 5);

export async function benchPaginate() {
  const sandbox = await startSandbox({ seed: false, maxTenants: TENANTS });
  const session = await createSession({
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    username: sandbox.username,
    password: sandbox.password,
    environment: false,
    // BENCH_PAGINATE_VALIDATE=0: without the per-call check against the spec.
    validate: process.env.BENCH_PAGINATE_VALIDATE !== "0",
  });
  try {
    // Filled through the API, 32 at a time.
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < TENANTS) {
          const n = next++;
          await session.call("createTenant", { body: { name: `bench-tenant-${n}` } });
        }
      }),
    );
    const token = await session.provider.getAccessToken();
    const paginateWith = (concurrency) => async () => {
      let count = 0;
      const query = { pageSize: PAGE_SIZE };
      for await (const _ of session.paginate("getTenantsPage", { query }, { concurrency }))
        count += 1;
      return count;
    };
    const viaPaginate = paginateWith(1);
    const viaFetch = async () => {
      let count = 0;
      for (let page = 0; ; page += 1) {
        const response = await fetch(
          `${sandbox.url}/idm/api/v8/tenants?page=${page}&pageSize=${PAGE_SIZE}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = await response.json();
        for (const _ of body.contents) count += 1;
        if (!body.hasNext) return count;
      }
    };
    await viaPaginate(); // warm-up: loads the spec checker once
    await viaFetch();
    const samples = { paginate: [], fetch: [], ahead: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [name, run] of [
        ["paginate", viaPaginate],
        ["fetch", viaFetch],
        ["ahead", paginateWith(4)],
      ]) {
        const started = performance.now();
        const count = await run();
        samples[name].push(performance.now() - started);
        if (count !== TENANTS) throw new Error(`${name} saw ${count} of ${TENANTS} tenants`);
      }
    }
    return {
      tenants: TENANTS,
      pageSize: PAGE_SIZE,
      pages: Math.ceil(TENANTS / PAGE_SIZE),
      runs: RUNS,
      paginateMs: median(samples.paginate),
      fetchMs: median(samples.fetch),
      aheadMs: median(samples.ahead),
    };
  } finally {
    await session.close();
    await sandbox.close();
  }
}

export function printPaginate(result) {
  console.log(
    `### Paging: ${fmt(result.tenants, 0)} tenants in ${result.pages} pages of ${result.pageSize} (sandbox, median of ${result.runs})\n`,
  );
  table([
    { client: "session.paginate()", "ms per listing": fmt(result.paginateMs, 1) },
    { client: "raw fetch loop", "ms per listing": fmt(result.fetchMs, 1) },
    { client: "session.paginate(), concurrency 4", "ms per listing": fmt(result.aheadMs, 1) },
    {
      client: "paginate / fetch",
      "ms per listing": `${fmt(result.paginateMs / result.fetchMs, 2)}x`,
    },
  ]);
}
