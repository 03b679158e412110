import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { ConfigError, type PassgrantError } from "../../src/errors.js";
import { AbortedError } from "../../src/transport/aborted-error.js";
import { InsecureTransportError, NetworkError } from "../../src/transport/errors.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";

const ORIGIN = "https://msx.test";
const PASSWORD = "transport-p@ssword-42";
let transport: Transport | undefined;

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:/);
});
afterEach(async () => {
  await transport?.close();
  transport = undefined;
  nock.cleanAll();
  nock.enableNetConnect();
  vi.restoreAllMocks();
});

function make(options: Parameters<typeof createTransport>[0] = {}): Transport {
  transport = createTransport(options);
  return transport;
}

describe("createTransport fetch", () => {
  it("calls globalThis.fetch late-bound, with passgrant's dispatcher attached", async () => {
    const t = make();
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("ok"));
    const response = await t.fetch(new Request(`${ORIGIN}/ping`));
    expect(await response.text()).toBe("ok");
    expect(spy).toHaveBeenCalledTimes(1);
    const init = spy.mock.calls[0]?.[1] as RequestInit & { dispatcher?: { dispatch?: unknown } };
    expect(typeof init.dispatcher?.dispatch).toBe("function");
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it("is seen by nock (so mocks see every call)", async () => {
    nock(ORIGIN).get("/ping").reply(200, "pong");
    const response = await make().fetch(new Request(`${ORIGIN}/ping`));
    expect(await response.text()).toBe("pong");
  });

  it("times out a slow server with a TimeoutError", async () => {
    nock(ORIGIN).get("/slow").delay(2_000).reply(200, "late");
    const error = await make({ timeoutMs: 50 })
      .fetch(new Request(`${ORIGIN}/slow`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "ERR_TIMEOUT", timeoutMs: 50, method: "GET" });
    expect((error as Error).message).toMatch(/within 50 ms.*raise `timeoutMs`/s);
  });

  it("times out a slow token endpoint through the token provider", async () => {
    nock(ORIGIN).post("/idm/v2/token").delay(2_000).reply(200, {});
    const provider = createTokenProvider({
      tokenUrl: `${ORIGIN}/idm/v2/token`,
      clientId: "c",
      clientSecret: "client-secret",
      grant: { type: "password", username: "u", password: PASSWORD },
      fetch: make({ timeoutMs: 50 }).fetch,
    });
    await expect(provider.getToken()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("maps the caller's own abort to AbortedError", async () => {
    nock(ORIGIN).get("/slow").delay(2_000).reply(200, "late");
    const controller = new AbortController();
    const pending = make().fetch(new Request(`${ORIGIN}/slow`, { signal: controller.signal }));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe("ERR_ABORTED");
  });

  it("maps a refused connection to NetworkError with the code and a hint", async () => {
    nock(ORIGIN)
      .get("/x")
      .replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
    // One interceptor: a refused connection is retried (retry.test.ts), not here.
    const error = (await make({ retry: false })
      .fetch(new Request(`${ORIGIN}/x`))
      .catch((e: unknown) => e)) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe("ERR_NETWORK");
    expect(error.causeCode).toBe("ECONNREFUSED");
    expect(error.message).toMatch(/Nothing is listening there/);
  });

  it("redacts nock's no-match error, which prints the request's headers and body", async () => {
    nock(ORIGIN).post("/other").reply(200);
    const error = await make()
      .fetch(
        new Request(`${ORIGIN}/idm/v2/token`, {
          method: "POST",
          headers: { Authorization: "Basic Y2xpZW50OnNlY3JldA==" },
          body: new URLSearchParams({ grant_type: "password", password: PASSWORD }).toString(),
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    const { inspect } = await import("node:util");
    const shown = `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10 })}`;
    expect(shown).toContain("No match");
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(encodeURIComponent(PASSWORD));
    expect(shown).not.toContain("Y2xpZW50OnNlY3JldA==");
  });

  it("reports responses and failures through the hooks, with redacted URLs", async () => {
    nock(ORIGIN).get("/ok").query(true).reply(204);
    nock(ORIGIN).get("/bad").replyWithError({ code: "ECONNRESET", message: "reset" });
    const seen: string[] = [];
    const t = make({
      onResponse: (info) => seen.push(`${info.method} ${info.url} ${info.status}`),
      onRequestError: (info) => seen.push(`${info.method} ${info.url} ${info.error.code}`),
    });
    await t.fetch(new Request(`${ORIGIN}/ok?access_token=abc&page=1`));
    await t.fetch(new Request(`${ORIGIN}/bad`)).catch(() => undefined);
    expect(seen).toEqual([
      `GET ${ORIGIN}/ok?access_token=[REDACTED]&page=1 204`,
      `GET ${ORIGIN}/bad ERR_NETWORK`,
    ]);
  });
});

describe("plain http", () => {
  it("refuses credentials over http:// to a host that is not loopback", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const request = new Request("http://msx.example.com/api", {
      headers: { Authorization: "Bearer abcdef" },
    });
    const error = await make()
      .fetch(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsecureTransportError);
    expect((error as PassgrantError).code).toBe("ERR_INSECURE_TRANSPORT");
    expect((error as Error).message).toMatch(/allowInsecureHttp/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("allows it with allowInsecureHttp, to loopback, and without credentials", async () => {
    nock("http://msx.example.com").get("/api").times(2).reply(200);
    nock("http://localhost:8080").get("/api").reply(200);
    await make({ allowInsecureHttp: true }).fetch(
      new Request("http://msx.example.com/api", { headers: { Authorization: "Bearer abcdef" } }),
    );
    await make().fetch(new Request("http://msx.example.com/api"));
    await make().fetch(
      new Request("http://localhost:8080/api", { headers: { Authorization: "Bearer abcdef" } }),
    );
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("options", () => {
  it("rejects a non-positive timeout", () => {
    expect(() => createTransport({ timeoutMs: 0 })).toThrow(ConfigError);
  });

  it("reports a missing CA file as a ConfigError naming the file and the fix", () => {
    expect(() => createTransport({ caFile: "/nonexistent/ca.pem" })).toThrow(
      /`caFile` "\/nonexistent\/ca.pem" cannot be read \(ENOENT\).*PEM/,
    );
  });

  it("reports a CA file that is not PEM", () => {
    const path = join(tmpdir(), `passgrant-not-pem-${process.pid}.txt`);
    writeFileSync(path, "hello");
    expect(() => createTransport({ caFile: path })).toThrow(/is not a PEM certificate/);
  });

  it("rejects a proxy that is not an http(s) URL, without echoing its credentials", () => {
    expect(() => createTransport({ proxy: "socks5://user:hunter22@proxy:1080" })).toThrow(
      ConfigError,
    );
    try {
      createTransport({ proxy: "socks5://user:hunter22@proxy:1080" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter22");
    }
  });

  it("warns loudly through onWarning when TLS verification is turned off", () => {
    const warnings: string[] = [];
    make({ insecureTls: true, onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/verification is OFF/);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
  });
});
