import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient } from "../../src/client/create-api-client.js";
import { ConfigError } from "../../src/errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../../src/transport/body-limit.js";
import { ResponseTooLargeError } from "../../src/transport/response-too-large-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { type HostileServer, startHostileServer } from "./hostile-bodies.js";
import { type LocalServer, startServer } from "./local-server.js";

const run = promisify(execFile);
const child = fileURLToPath(new URL("./fixtures/read-api-response.mjs", import.meta.url));
/** Peak RSS allowed to the child reading one hostile response (the default cap is 16 MiB). */
const RSS_BOUND_MIB = 150;
const MiB = 1024 * 1024;

let hostile: HostileServer | undefined;
let server: LocalServer | undefined;
let transport: Transport | undefined;

afterEach(async () => {
  await hostile?.close();
  await server?.close();
  await transport?.close();
  hostile = undefined;
  server = undefined;
  transport = undefined;
});

interface ChildOutcome {
  ok: boolean;
  code?: string;
  typed?: string;
  message?: string;
  maxRssMiB: number;
}

/** One API call through the built library in a child process: its outcome and peak RSS. */
async function readInChild(baseUrl: string, maxBytes?: number): Promise<ChildOutcome> {
  const { stdout } = await run(
    process.execPath,
    [child, baseUrl, ...(maxBytes ? [String(maxBytes)] : [])],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout) as ChildOutcome;
}

describe("bounded response bodies, measured in a child process", () => {
  it("stops an endless body at the default cap with ResponseTooLargeError, memory bounded", async () => {
    hostile = await startHostileServer({ kind: "endless" });
    const outcome = await readInChild(hostile.url);
    expect(outcome).toMatchObject({
      ok: false,
      code: "ERR_RESPONSE_TOO_LARGE",
      typed: "ResponseTooLargeError",
    });
    expect(outcome.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/idm\/api\/v8\/tenants/);
    expect(outcome.message).toMatch(/16 MiB.*`maxResponseBytes`/s);
    expect(outcome.message).not.toContain("MSX_");
    expect(outcome.maxRssMiB).toBeLessThan(RSS_BOUND_MIB);
    // The connection was closed, so the server stopped producing shortly after the cap.
    await hostile.bodySocketClosed;
    expect(hostile.produced()).toBeLessThan(64 * MiB);
  });

  it("stops a 100 MB body with a Content-Length", async () => {
    hostile = await startHostileServer({ kind: "sized", bytes: 100_000_000 });
    const outcome = await readInChild(hostile.url);
    expect(outcome).toMatchObject({ ok: false, code: "ERR_RESPONSE_TOO_LARGE" });
    expect(outcome.maxRssMiB).toBeLessThan(RSS_BOUND_MIB);
    await hostile.bodySocketClosed;
    expect(hostile.produced()).toBeLessThan(64 * MiB);
  });

  it("counts a gzip bomb (2 GiB of zeros) decompressed, not on the wire", async () => {
    hostile = await startHostileServer({ kind: "gzip-bomb", bytes: 2 * 1024 * MiB });
    const outcome = await readInChild(hostile.url);
    expect(outcome).toMatchObject({
      ok: false,
      code: "ERR_RESPONSE_TOO_LARGE",
      typed: "ResponseTooLargeError",
    });
    expect(outcome.maxRssMiB).toBeLessThan(RSS_BOUND_MIB);
    await hostile.bodySocketClosed;
    expect(hostile.produced()).toBeLessThan(256 * MiB);
  });

  it("honours a smaller maxResponseBytes in the same way", async () => {
    hostile = await startHostileServer({ kind: "gzip-bomb", bytes: 64 * MiB });
    const outcome = await readInChild(hostile.url, 100_000);
    expect(outcome).toMatchObject({ ok: false, code: "ERR_RESPONSE_TOO_LARGE" });
    expect(outcome.message).toMatch(/larger than 100000 bytes/);
  });
});

/**
 * A small body may arrive whole before `fetch` resolves; then `fetch` itself rejects with the
 * typed error, else reading the body does. Callers see the same error either way.
 */
async function readText(t: Transport, url: string): Promise<string> {
  return (await t.fetch(new Request(url))).text();
}

describe("maxResponseBytes in process", () => {
  /** A JSON array body of exactly `bytes` bytes, sent as it is or gzip-encoded by the server. */
  async function serve(bytes: number, gzip = false): Promise<string> {
    const { gzipSync } = await import("node:zlib");
    const text = `[${" ".repeat(bytes - 2)}]`;
    server = await startServer((_request, _body, response) => {
      response.writeHead(200, {
        "Content-Type": "application/json",
        ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      });
      response.end(gzip ? gzipSync(text) : text);
    });
    return server.url;
  }

  it("defaults to 16 MiB", () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(16 * MiB);
  });

  it("reads a body of exactly the limit, and rejects one byte more (identity and gzip)", async () => {
    for (const gzip of [false, true]) {
      const url = await serve(2048, gzip);
      transport = createTransport({ maxResponseBytes: 2048 });
      expect((await (await transport.fetch(new Request(url))).text()).length).toBe(2048);
      await transport.close();
      transport = createTransport({ maxResponseBytes: 2047 });
      const error = await readText(transport, url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error).toMatchObject({ maxBytes: 2047, method: "GET" });
      await transport.close();
      transport = undefined;
      await server?.close();
      server = undefined;
    }
  });

  it("makes openapi-fetch's data read reject with the typed error itself", async () => {
    const url = await serve(10_000);
    transport = createTransport({ maxResponseBytes: 4096 });
    const client = createApiClient<Record<string, never>>({ baseUrl: url, fetch: transport.fetch });
    // biome-ignore lint/suspicious/noExplicitAny: an untyped path for this transport-level test.
    const error = await (client as any).GET("/idm/api/v8/tenants").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).code).toBe("ERR_RESPONSE_TOO_LARGE");
  });

  it("redacts the URL in the error", async () => {
    const url = await serve(10_000);
    transport = createTransport({ maxResponseBytes: 4096 });
    const error = (await readText(transport, `${url}/x?access_token=s3cr3t-t0ken`).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).not.toContain("s3cr3t-t0ken");
    expect(error.message).toContain("access_token=[REDACTED]");
  });

  it("keeps the response's URL when it has to wrap the body", async () => {
    const url = await serve(100, true);
    transport = createTransport();
    const response = await transport.fetch(new Request(`${url}/wrapped`));
    expect(response.url).toBe(`${url}/wrapped`);
    expect(await response.json()).toEqual([]);
  });

  it("refuses a nonsensical limit with a ConfigError", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createTransport({ maxResponseBytes: bad })).toThrow(ConfigError);
    }
    expect(() => createTransport({ maxResponseBytes: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
