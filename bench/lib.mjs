// Shared helpers for the benchmarks: a fixed-answer API server, statistics, and output.
import { createServer } from "node:http";
import os from "node:os";

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

const PAGE = JSON.stringify({
  page: 0,
  pageSize: 1,
  totalItems: 1,
  hasNext: false,
  hasPrevious: false,
  contents: [{ id: "1817ec68-e182-4865-8d83-fc13035b4811", name: "Dandelion and Burdock" }],
});

/**
 * A minimal keep-alive server on 127.0.0.1 answering the tenants page and the token endpoint
 * with fixed bodies, so the benchmark measures the clients, not the server.
 * Counts token requests so grant counts can be checked.
 */
export async function startFixedServer() {
  let tokenRequests = 0;
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/idm/v2/token") {
      tokenRequests++;
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 9000 }));
      });
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
      res.end('{"code":"UNAUTHORIZED","message":"no token"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(PAGE);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests: () => tokenRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
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
