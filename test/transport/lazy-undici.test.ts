import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const entry = resolve(import.meta.dirname, "../../dist/lib/index.js");

// In a child process (a fresh module registry): npm undici is CommonJS, so once loaded it shows in
// require.cache, whichever way it was imported.
const script = (transportOptions: string) => `
  import { createServer } from "node:http";
  import { createRequire } from "node:module";
  const { createTransport } = await import(${JSON.stringify(entry)});
  const server = createServer((req, res) => res.end("x".repeat(100)));
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = "http://127.0.0.1:" + server.address().port + "/";
  const transport = createTransport({ ...${transportOptions}, onWarning: () => {} });
  const body = await (await transport.fetch(new Request(url))).text();
  let limited = "read whole";
  const small = createTransport({ ...${transportOptions}, maxResponseBytes: 10, onWarning: () => {} });
  try { await (await small.fetch(new Request(url))).text(); } catch (error) { limited = error.name; }
  await transport.close();
  await small.close();
  server.close();
  const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules[\\\\/]undici[\\\\/]/.test(f));
  console.log(JSON.stringify({ length: body.length, limited, undici: loaded }));
`;

async function exchange(transportOptions: string) {
  const { stdout } = await run("node", ["--input-type=module", "-e", script(transportOptions)]);
  return JSON.parse(stdout) as { length: number; limited: string; undici: boolean };
}

describe("npm undici is loaded only when a dispatcher of passgrant's own is needed", () => {
  it("a plain request goes through Node's own fetch agent, deadline and body limit intact", async () => {
    expect(await exchange("{}")).toEqual({
      length: 100,
      limited: "ResponseTooLargeError",
      undici: false,
    });
  });

  it("a TLS setting (insecureTls here) loads undici for an agent of its own", async () => {
    expect(await exchange("{ insecureTls: true }")).toEqual({
      length: 100,
      limited: "ResponseTooLargeError",
      undici: true,
    });
  });

  it("a proxy that applies loads undici", async () => {
    // 127.0.0.1 bypasses proxies, so the proxy is named for another host: only the
    // dispatcher choice is tested here (proxy-selection.test.ts covers the routing).
    const { stdout } = await run("node", [
      "--input-type=module",
      "-e",
      `
      import { createRequire } from "node:module";
      const { createTransport } = await import(${JSON.stringify(entry)});
      const transport = createTransport({ proxy: "http://127.0.0.1:9", timeoutMs: 2000 });
      await transport.fetch(new Request("http://example.invalid/")).catch(() => {});
      await transport.close();
      console.log(Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules[\\\\/]undici[\\\\/]/.test(f)));
      `,
    ]);
    expect(stdout.trim()).toBe("true");
  });
});
