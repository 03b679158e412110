// Request overhead: the same authenticated GET through raw fetch, undici's request (the floor),
// openapi-fetch alone, and the passgrant client (bearer middleware, cached token).

import { bearerAuth, createMsxClient, createTokenProvider, createTransport } from "passgrant";
import { Bench } from "tinybench";
import { Agent, request } from "undici";
import { fmt, median, startFixedServer, TOKEN, table } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const CONCURRENCY = 16;

export async function benchOverhead() {
  const server = await startFixedServer();
  const url = `${server.url}/idm/api/v8/tenants?page=0&pageSize=1`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const undiciAgent = new Agent({ keepAliveTimeout: 60_000, connections: 64 });

  const transport = createTransport();
  const provider = createTokenProvider({
    tokenUrl: `${server.url}/idm/v2/token`,
    clientId: "bench-client",
    clientSecret: "bench-secret",
    grant: { type: "password", username: "bench", password: "bench-password" },
    fetch: transport.fetch,
  });
  await provider.getToken();
  const passgrant = createMsxClient({
    baseUrl: server.url,
    fetch: transport.fetch,
    middleware: [bearerAuth(provider)],
  });
  const plainOpenapiFetch = createMsxClient({ baseUrl: server.url, headers });
  const query = { params: { query: { page: 0, pageSize: 1 } } };

  const clients = {
    "raw fetch": async () => {
      const response = await fetch(url, { headers });
      await response.json();
    },
    "undici request": async () => {
      const { body } = await request(url, { headers, dispatcher: undiciAgent });
      await body.json();
    },
    "openapi-fetch, fixed header": async () => {
      const { data } = await plainOpenapiFetch.GET("/idm/api/v8/tenants", query);
      if (!data) throw new Error("no data");
    },
    "passgrant client": async () => {
      const { data } = await passgrant.GET("/idm/api/v8/tenants", query);
      if (!data) throw new Error("no data");
    },
  };
  // Sanity: every client really gets the page (a 401 would make any of them look fast).
  for (const call of Object.values(clients)) await call();

  const sequential = await rounds(clients, 1);
  const concurrent = await rounds(clients, CONCURRENCY);
  const grantsDuringRun = (await server.tokenRequests()) - 1;

  await undiciAgent.close();
  await transport.close();
  await server.close();
  return { sequential, concurrent, grantsDuringRun };
}

/** Runs every client for ROUNDS rounds, rotating the order so none always goes first. */
async function rounds(clients, concurrency) {
  const names = Object.keys(clients);
  const perRound = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const bench = new Bench({ time: TIME_MS, warmupTime: 300 });
    for (const name of order) {
      const call = clients[name];
      bench.add(
        name,
        concurrency === 1
          ? call
          : () => Promise.all(Array.from({ length: concurrency }, () => call())),
      );
    }
    await bench.run();
    const results = {};
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== "completed") throw new Error(`${task.name}: ${r.state} ${r.error ?? ""}`);
      results[task.name] = {
        rps: r.throughput.mean * concurrency,
        p50: r.latency.p50,
        p99: r.latency.p99,
      };
    }
    perRound.push(results);
  }
  const summary = {};
  for (const name of names) {
    summary[name] = {
      rps: median(perRound.map((r) => r[name].rps)),
      p50: median(perRound.map((r) => r[name].p50)),
      p99: median(perRound.map((r) => r[name].p99)),
    };
  }
  const ratio = (a, b) => median(perRound.map((r) => r[a].rps / r[b].rps));
  return {
    concurrency,
    summary,
    ratios: {
      "passgrant / raw fetch": ratio("passgrant client", "raw fetch"),
      "passgrant / undici request": ratio("passgrant client", "undici request"),
      "passgrant / openapi-fetch": ratio("passgrant client", "openapi-fetch, fixed header"),
    },
  };
}

export function printOverhead({ sequential, concurrent, grantsDuringRun }) {
  for (const run of [sequential, concurrent]) {
    const unit = run.concurrency === 1 ? "one request" : `a batch of ${run.concurrency}`;
    console.log(
      `### Authenticated GET, ${run.concurrency === 1 ? "sequential" : `${run.concurrency} in flight`}\n`,
    );
    table(
      Object.entries(run.summary).map(([name, s]) => ({
        client: name,
        "requests/s": fmt(s.rps, 0),
        [`p50 ms (${unit})`]: fmt(s.p50, 3),
        [`p99 ms (${unit})`]: fmt(s.p99, 3),
      })),
    );
    table(Object.entries(run.ratios).map(([name, r]) => ({ ratio: name, value: fmt(r, 3) })));
  }
  console.log(`Token grants during the overhead runs (cached token): ${grantsDuringRun}\n`);
}
