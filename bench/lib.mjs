// Shared helpers for the benchmarks: a fixed-answer API server, statistics, and output.
import { fork } from "node:child_process";
import { once } from "node:events";
import os from "node:os";
import { fileURLToPath } from "node:url";

/** The machine, printed with every run so figures are never read without their context. */
export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}

export const TOKEN = "bench-access-token-0123456789";

/**
 * A minimal keep-alive server on 127.0.0.1 that answers the tenants page and the token endpoint
 * with fixed bodies, so the benchmark measures the clients, not the server. It runs in a child
 * process: on a 2-core machine the server then has a core of its own, and the figures are the
 * clients' cost alone rather than a mix of client and server work on one event loop.
 */
export async function startFixedServer() {
  const child = fork(fileURLToPath(new URL("./fixed-server.mjs", import.meta.url)), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ url }] = await once(child, "message");
  const ask = async (what) => {
    child.send(what);
    const [reply] = await once(child, "message");
    return reply;
  };
  return {
    url,
    tokenRequests: async () => (await ask("count")).tokenRequests,
    close: async () => {
      child.send("close");
      await once(child, "exit");
    },
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const fmt = (n, digits = 2) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : String(n);

/** Prints a markdown table: rows are objects with the same keys. */
export function table(rows) {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  console.log(`| ${keys.join(" | ")} |`);
  console.log(`| ${keys.map(() => "---").join(" | ")} |`);
  for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(" | ")} |`);
  console.log();
}
