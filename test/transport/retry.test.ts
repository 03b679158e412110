import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { AbortedError } from "../../src/transport/aborted-error.js";
import { HttpError, NetworkError } from "../../src/transport/errors.js";
import { parseRetryAfter, type RetryEvent, type RetryOptions } from "../../src/transport/retry.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";

/**
 * A real node:http server on 127.0.0.1 answering from a script: request n (0-based) gets
 * `script(n, request, body)`, which may also destroy the socket before answering.
 */
interface ScriptedServer {
  url: string;
  port: number;
  /** Every request received, method and body. */
  requests: Array<{ method: string; body: string }>;
  close(): Promise<void>;
}

type Script = (n: number, request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
let transport: Transport | undefined;

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function scripted(script: Script, port = 0): Promise<ScriptedServer> {
  const requests: ScriptedServer["requests"] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const n = requests.length;
      requests.push({ method: request.method ?? "", body: Buffer.concat(chunks).toString() });
      script(n, request, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const answer = (response: ServerResponse, status: number, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify({ status }));
};

/** A transport whose waits are recorded and skipped, so tests count instead of timing. */
function make(retry?: RetryOptions | false, extra: Parameters<typeof createTransport>[0] = {}) {
  const waits: number[] = [];
  const events: RetryEvent[] = [];
  transport = createTransport(
    { ...(retry === undefined ? {} : { retry }), onRetry: (event) => events.push(event), ...extra },
    {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    },
  );
  return { t: transport, waits, events };
}

describe("retries of idempotent requests", () => {
  it("retries a 503 and returns the 200 that follows", async () => {
    const server = await scripted((n, _rq, rs) => answer(rs, n === 0 ? 503 : 200));
    const { t, events, waits } = make();
    const response = await t.fetch(new Request(`${server.url}/idm/api/v8/tenants`));
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(events).toMatchObject([
      { method: "GET", retry: 1, limit: 2, status: 503, retryAfter: false },
    ]);
    // Full jitter: random 0.5 of the first ceiling (300 ms).
    expect(waits).toEqual([150]);
  });

  it("waits the Retry-After of a 429 (seconds, then an HTTP date)", async () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    const server = await scripted((n, _rq, rs) => {
      if (n === 0) answer(rs, 429, { "Retry-After": "3" });
      else if (n === 1) answer(rs, 429, { "Retry-After": inTwoSeconds });
      else answer(rs, 200);
    });
    const { t, events, waits } = make();
    const response = await t.fetch(new Request(`${server.url}/x`));
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(3);
    expect(waits[0]).toBe(3_000);
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(2_000);
    expect(events.map((e) => [e.status, e.retryAfter])).toEqual([
      [429, true],
      [429, true],
    ]);
  });

  it("fails at once with an HttpError carrying retryAfter when Retry-After is beyond the cap", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503, { "Retry-After": "3600" }));
    const { t, waits } = make();
    const before = Date.now();
    const error = await t.fetch(new Request(`${server.url}/x`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(503);
    expect(httpError.retryAfter?.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(httpError.message).toMatch(/retry after 3600 s \(at \d{4}-\d\d-\d\dT.*Z\)/);
    expect(httpError.message).toMatch(/maxRetryAfterMs, 30000 ms/);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("does not wait a Retry-After longer than what is left of timeoutMs", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503, { "Retry-After": "20" }));
    const { t } = make(undefined, { timeoutMs: 5_000 });
    const error = await t.fetch(new Request(`${server.url}/x`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toMatch(/ms left of timeoutMs/);
    expect(server.requests).toHaveLength(1);
  });

  it("returns the answer rather than start a backoff wait that would outlast timeoutMs", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503));
    // random 0.5 of a 60 s ceiling: a 30 s wait, with at most 5 s of timeoutMs left.
    const { t, waits } = make({ baseDelayMs: 60_000, maxDelayMs: 60_000 }, { timeoutMs: 5_000 });
    expect((await t.fetch(new Request(`${server.url}/x`))).status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("respects the limit, then returns the last answer as it is", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 502));
    const { t, waits } = make({ limit: 3 });
    const response = await t.fetch(new Request(`${server.url}/x`));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ status: 502 });
    expect(server.requests).toHaveLength(4);
    // The ceiling doubles: 300, 600, 1200 (random 0.5).
    expect(waits).toEqual([150, 300, 600]);
  });

  it("never retries with retry: false", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503));
    const { t } = make(false);
    expect((await t.fetch(new Request(`${server.url}/x`))).status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry other statuses (500, 404)", async () => {
    const server = await scripted((n, _rq, rs) => answer(rs, n === 0 ? 500 : 404));
    const { t } = make();
    expect((await t.fetch(new Request(`${server.url}/x`))).status).toBe(500);
    expect((await t.fetch(new Request(`${server.url}/x`))).status).toBe(404);
    expect(server.requests).toHaveLength(2);
  });

  it("resends a PUT's body intact", async () => {
    const server = await scripted((n, _rq, rs) => answer(rs, n === 0 ? 503 : 200));
    const { t } = make();
    const body = JSON.stringify({ name: "Fanta", description: "x".repeat(10_000) });
    const response = await t.fetch(
      new Request(`${server.url}/idm/api/v8/tenants/1`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body,
      }),
    );
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ["PUT", body],
      ["PUT", body],
    ]);
  });

  it("retries a GET whose connection was closed before any response", async () => {
    const server = await scripted((n, rq, rs) => {
      if (n === 0) rq.socket.destroy();
      else answer(rs, 200);
    });
    const { t, events } = make();
    const response = await t.fetch(new Request(`${server.url}/x`));
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(events[0]?.error).toBeInstanceOf(NetworkError);
    expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(
      (events[0]?.error as NetworkError | undefined)?.causeCode,
    );
  });

  it("ends the backoff wait at once when the caller aborts", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503, { "Retry-After": "25" }));
    // The real sleep: without the abort, this wait would outlast the test's own timeout.
    transport = createTransport({ retry: { maxRetryAfterMs: 60_000 }, timeoutMs: 120_000 });
    const controller = new AbortController();
    const pending = transport
      .fetch(new Request(`${server.url}/x`, { signal: controller.signal }))
      .catch((e: unknown) => e);
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("requests that are not idempotent", () => {
  it("never resends a POST that got a 503", async () => {
    const server = await scripted((_n, _rq, rs) => answer(rs, 503, { "Retry-After": "1" }));
    const { t, events } = make();
    const response = await t.fetch(
      new Request(`${server.url}/idm/api/v8/tenants`, { method: "POST", body: "{}" }),
    );
    expect(response.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it("never resends a POST whose connection was closed after it was sent", async () => {
    const server = await scripted((_n, rq) => rq.socket.destroy());
    const { t } = make();
    const error = await t
      .fetch(new Request(`${server.url}/x`, { method: "POST", body: "{}" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(server.requests).toHaveLength(1);
  });

  it("resends a POST, body intact, when the connection was refused (nothing was sent)", async () => {
    // Find a free port, leave it closed for the first attempt, listen on it before the retry.
    const probe = await scripted(() => undefined);
    const port = probe.port;
    await probe.close();
    servers.length = 0;
    let server: ScriptedServer | undefined;
    const body = JSON.stringify({ name: "Fanta" });
    transport = createTransport(
      {},
      {
        random: () => 0,
        sleep: async () => {
          server = await scripted((_n, _rq, rs) => answer(rs, 201), port);
        },
      },
    );
    const response = await transport.fetch(
      new Request(`http://127.0.0.1:${port}/idm/api/v8/tenants`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      }),
    );
    expect(response.status).toBe(201);
    expect(server?.requests).toEqual([{ method: "POST", body }]);
  });

  it("gives up on a refused connection after the limit, with the usual NetworkError", async () => {
    const probe = await scripted(() => undefined);
    const port = probe.port;
    await probe.close();
    servers.length = 0;
    const { t, events } = make({ limit: 1 });
    const error = await t
      .fetch(new Request(`http://127.0.0.1:${port}/x`, { method: "POST", body: "{}" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).causeCode).toBe("ECONNREFUSED");
    expect(events).toHaveLength(1);
  });
});

describe("retry options", () => {
  it("rejects nonsense with a ConfigError naming the field", () => {
    expect(() => createTransport({ retry: { limit: -1 } })).toThrow(ConfigError);
    expect(() => createTransport({ retry: { limit: 1.5 } })).toThrow(/retry\.limit/);
    expect(() => createTransport({ retry: { maxRetryAfterMs: Number.NaN } })).toThrow(
      /retry\.maxRetryAfterMs/,
    );
  });

  it("parses Retry-After as RFC 9110 §10.2.3 defines it", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:29:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    for (const bad of ["-1", "1.5", "soon", "", "2015-10-21"]) {
      expect(parseRetryAfter(bad, now), bad).toBeUndefined();
    }
  });
});

/** Polls `condition` (bounded) until it holds. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition()).toBe(true);
}
