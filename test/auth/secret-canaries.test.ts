/**
 * Every error type passgrant throws, produced through its real code path with canary secrets in
 * every place a secret can be (password, client secret, tokens, Authorization headers, query
 * strings, proxy and URL userinfo, echoed back in bodies), then rendered every way a person or a
 * logger renders an error: message, String(), stack, JSON.stringify and util.inspect with causes.
 */
import { createServer as createNetServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basicAuthorization } from "../../src/auth/client-auth.js";
import { OAuthError } from "../../src/auth/oauth-error.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { TokenResponseError } from "../../src/auth/token-response-error.js";
import type { TokenEvent } from "../../src/auth/types.js";
import { createMsxClient } from "../../src/client/msx.js";
import { ConfigError, PassgrantError } from "../../src/errors.js";
import { AbortedError } from "../../src/transport/aborted-error.js";
import { HttpError, InsecureTransportError, NetworkError } from "../../src/transport/errors.js";
import { httpErrorFromResponse } from "../../src/transport/response-body.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { TlsError } from "../../src/transport/tls-error.js";
import { createTransport } from "../../src/transport/transport.js";
import { makeCertificates, type TestCertificates } from "../transport/certificates.js";
import { type LocalServer, startServer } from "../transport/local-server.js";
import { everyRendering } from "./helpers.js";

const CANARY = {
  password: "canary-PASSWORD-3b8e",
  clientSecret: "canary-CLIENT-SECRET-d41c",
  accessToken: "canary-ACCESS-TOKEN-9a2f",
  refreshToken: "canary-REFRESH-TOKEN-77e0",
  proxyPassword: "canary-PROXY-PASSWORD-5c1d",
  urlPassword: "canary-URL-PASSWORD-e6b2",
} as const;
const CLIENT_ID = "canary-client";
const BASIC = basicAuthorization(CLIENT_ID, CANARY.clientSecret);
/** What a careless server echoes back: every secret of the request. */
const ECHO = JSON.stringify({
  received: `grant_type=password&username=superuser&password=${CANARY.password}`,
  authorization: BASIC,
  note: `Bearer ${CANARY.accessToken} refresh_token=${CANARY.refreshToken} ${CANARY.clientSecret}`,
});

async function expectNoCanary(error: unknown, type: abstract new (...args: never[]) => Error) {
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(PassgrantError);
  const shown = `${await everyRendering(error)}\n${String(error)}`;
  for (const canary of [...Object.values(CANARY), BASIC.slice("Basic ".length)]) {
    expect(shown, `${canary} leaked`).not.toContain(canary);
  }
}

/** A provider whose token endpoint answers with `answer`. */
function providerAnswering(answer: () => Response, events: TokenEvent[] = []) {
  return createTokenProvider({
    tokenUrl: "https://msx.example.test/idm/v2/token",
    clientId: CLIENT_ID,
    clientSecret: CANARY.clientSecret,
    grant: { type: "password", username: "superuser", password: CANARY.password },
    fetch: async () => answer(),
    onEvent: (event) => events.push(event),
  });
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );
const secretQuery = `?access_token=${CANARY.accessToken}&password=${CANARY.password}`;

let certs: TestCertificates;
let https: LocalServer;
let stalling: LocalServer;
let proxy: Server;
let proxyPort: number;

beforeAll(async () => {
  certs = makeCertificates();
  https = await startServer((_request, _body, response) => response.end("{}"), certs);
  stalling = await startServer(() => undefined); // never answers
  proxy = createNetServer((socket) =>
    socket.once("data", () =>
      socket.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
    ),
  );
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyPort = (proxy.address() as { port: number }).port;
});
afterAll(async () => {
  await Promise.all([https?.close(), stalling?.close()]);
  proxy?.close();
  certs?.cleanup();
});

describe("no secret in any rendering of any error", () => {
  it("OAuthError: an error body echoing the request", async () => {
    const error = await rejection(
      providerAnswering(() =>
        Response.json({ error: "invalid_grant", error_description: ECHO }, { status: 400 }),
      ).getToken(),
    );
    await expectNoCanary(error, OAuthError);
  });

  it("OAuthError in a refresh-failed event", async () => {
    const events: TokenEvent[] = [];
    let calls = 0;
    const provider = providerAnswering(() => {
      calls += 1;
      if (calls === 1) {
        return Response.json({
          access_token: CANARY.accessToken,
          token_type: "bearer",
          refresh_token: CANARY.refreshToken,
        });
      }
      return Response.json({ error: "invalid_grant", error_description: ECHO }, { status: 400 });
    }, events);
    await provider.getToken();
    provider.invalidate();
    await rejection(provider.getToken());
    const failed = events.find((event) => event.type === "refresh-failed");
    expect(failed).toBeDefined();
    await expectNoCanary(failed && "error" in failed ? failed.error : undefined, OAuthError);
  });

  it("TokenResponseError: an HTML page and truncated JSON echoing the request", async () => {
    const html = await rejection(
      providerAnswering(
        () => new Response(`<html><body><pre>${ECHO}</pre></body></html>`, { status: 200 }),
      ).getToken(),
    );
    await expectNoCanary(html, TokenResponseError);
    const truncated = await rejection(
      providerAnswering(
        () => new Response(`{"access_token":"${CANARY.accessToken}","x":${ECHO}`.slice(0, 60)),
      ).getToken(),
    );
    await expectNoCanary(truncated, TokenResponseError);
  });

  it("HttpError: a token endpoint 500 and an API response, both echoing the request", async () => {
    const fromToken = await rejection(
      providerAnswering(() => new Response(ECHO, { status: 500 })).getToken(),
    );
    await expectNoCanary(fromToken, HttpError);
    const fromApi = await httpErrorFromResponse(
      new Response(ECHO, { status: 502, headers: { "x-request-id": "req-1" } }),
      {
        method: "GET",
        url: `https://msx.example.test/idm/api/v8/tenants${secretQuery}`,
        secrets: [CANARY.password, CANARY.clientSecret],
      },
    );
    await expectNoCanary(fromApi, HttpError);
    expect(fromApi.requestId).toBe("req-1");
  });

  it("TimeoutError, AbortedError and NetworkError from real sockets", async () => {
    const transport = createTransport({ timeoutMs: 100 });
    const request = (url: string, signal?: AbortSignal) =>
      transport.fetch(
        new Request(url, {
          headers: { authorization: `Bearer ${CANARY.accessToken}` },
          ...(signal ? { signal } : {}),
        }),
      );
    try {
      await expectNoCanary(
        await rejection(request(`${stalling.url}/${secretQuery}`)),
        TimeoutError,
      );
      const controller = new AbortController();
      const aborted = rejection(request(`${stalling.url}/${secretQuery}`, controller.signal));
      controller.abort();
      await expectNoCanary(await aborted, AbortedError);
      await expectNoCanary(
        await rejection(request(`http://127.0.0.1:9/${secretQuery}`)),
        NetworkError,
      );
    } finally {
      await transport.close();
    }
  });

  it("NetworkError: a proxy that refuses the tunnel, configured with credentials", async () => {
    const transport = createTransport({
      proxy: `http://proxy-user:${CANARY.proxyPassword}@127.0.0.1:${proxyPort}`,
    });
    try {
      const error = await rejection(
        transport.fetch(
          new Request(`https://msx.example.test/${secretQuery}`, {
            headers: { authorization: `Bearer ${CANARY.accessToken}` },
          }),
        ),
      );
      await expectNoCanary(error, NetworkError);
    } finally {
      await transport.close();
    }
  });

  it("TlsError: an untrusted certificate", async () => {
    const transport = createTransport();
    try {
      const error = await rejection(
        transport.fetch(
          new Request(`${https.url}/${secretQuery}`, {
            headers: { authorization: `Bearer ${CANARY.accessToken}` },
          }),
        ),
      );
      await expectNoCanary(error, TlsError);
    } finally {
      await transport.close();
    }
  });

  it("InsecureTransportError: credentials to plain http://", async () => {
    const transport = createTransport();
    const error = await rejection(
      transport.fetch(
        new Request(`http://msx.example.test/${secretQuery}`, {
          headers: { authorization: BASIC },
        }),
      ),
    );
    await expectNoCanary(error, InsecureTransportError);
  });

  it("ConfigError: URLs and proxies carrying credentials", async () => {
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const cases = [
      () => createTransport({ proxy: `socks5://u:${CANARY.proxyPassword}@proxy.example.test` }),
      () =>
        createTokenProvider({
          tokenUrl: `https://u:${CANARY.urlPassword}@msx.example.test/idm/v2/token${secretQuery}`,
          clientId: CLIENT_ID,
          clientSecret: CANARY.clientSecret,
          grant: { type: "password", username: "superuser", password: CANARY.password },
        }),
      () => createMsxClient({ baseUrl: `https://u:${CANARY.urlPassword}@msx.example.test` }),
      () => createMsxClient({ baseUrl: `not a url ${secretQuery}` }),
    ];
    for (const make of cases) await expectNoCanary(thrown(make), ConfigError);
  });
});
