// CLI latency: whole-process `passgrant token` against the sandbox, cold (runs the grant) and
// with the on-disk cache (no grant), plus the cost of importing the package.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox } from "passgrant/sandbox";
import { fmt, median, table } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const cli = fileURLToPath(new URL("../dist/bin/passgrant.js", import.meta.url));
const entry = fileURLToPath(new URL("../dist/lib/index.js", import.meta.url));

export async function benchCli() {
  const sandbox = await startSandbox();
  const cacheHome = mkdtempSync(join(tmpdir(), "passgrant-bench-cache-"));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_CACHE_HOME: cacheHome,
    MSX_BASE_URL: sandbox.url,
    MSX_CLIENT_ID: sandbox.clientId,
    MSX_CLIENT_SECRET: sandbox.clientSecret,
    MSX_USERNAME: sandbox.username,
    MSX_PASSWORD: sandbox.password,
  };

  // The sandbox lives in this process, so children run asynchronously to keep it answering.
  const time = async (args, childEnv = env) => {
    const started = performance.now();
    const result = await spawnAsync(process.execPath, args, childEnv);
    const ms = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    return { ms, stdout: result.stdout };
  };
  const series = async (args) => {
    const before = sandbox.stats().tokenRequests;
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push((await time(args)).ms);
    return {
      median: median(times),
      min: Math.min(...times),
      grants: sandbox.stats().tokenRequests - before,
    };
  };

  const nodeBaseline = await series(["-e", "0"]);
  const importTimes = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await time([
      "--input-type=module",
      "-e",
      `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`,
    ]);
    importTimes.push(Number(stdout.trim()));
  }
  const cold = await series([cli, "token"]);
  await time([cli, "token", "--cache"]); // fill the cache
  const cached = await series([cli, "token", "--cache"]);

  rmSync(cacheHome, { recursive: true, force: true });
  await sandbox.close();
  return { runs: RUNS, nodeBaseline, importMs: median(importTimes), cold, cached };
}

function spawnAsync(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

export function printCli({ runs, nodeBaseline, importMs, cold, cached }) {
  console.log(`### CLI latency (median of ${runs} whole-process runs)\n`);
  table([
    {
      what: "node -e 0 (process start, the floor)",
      "median ms": fmt(nodeBaseline.median, 1),
      "min ms": fmt(nodeBaseline.min, 1),
      "token grants": "-",
    },
    {
      what: "passgrant token, cold (runs the grant)",
      "median ms": fmt(cold.median, 1),
      "min ms": fmt(cold.min, 1),
      "token grants": cold.grants,
    },
    {
      what: "passgrant token --cache, valid cached token",
      "median ms": fmt(cached.median, 1),
      "min ms": fmt(cached.min, 1),
      "token grants": cached.grants,
    },
  ]);
  console.log(`Import of the package root (in-process, median): ${fmt(importMs, 1)} ms\n`);
}
