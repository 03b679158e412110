// Runs the sandbox alone in its own process (started with --expose-gc), so its memory can be
// read without the load generator's allocations. Talks to the benchmark over IPC.
import { startSandbox } from "passgrant/sandbox";

const ttl = Number(process.env.BENCH_SANDBOX_TTL ?? 9000);
const sandbox = await startSandbox({ accessTokenTtlSeconds: ttl });

process.on("message", async (message) => {
  if (message === "memory") {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ type: "memory", rss, heapUsed, stats: sandbox.stats() });
  } else if (message === "close") {
    await sandbox.close();
    process.exit(0);
  }
});

process.send({
  type: "ready",
  url: sandbox.url,
  clientId: sandbox.clientId,
  clientSecret: sandbox.clientSecret,
  username: sandbox.username,
  password: sandbox.password,
});
