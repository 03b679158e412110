import { createHash } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  AuthorizationCallbackError,
  type AuthorizationPrompt,
  ConfigError,
  createTokenProvider,
  OAuthError,
  type TokenEvent,
  type TokenProviderOptions,
} from "../../src/index.js";
import {
  browse,
  NATIVE_CLIENT_ID,
  rawGet,
  startLoginServer,
  type UserChoice,
  visit,
} from "./login-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** True when nothing listens on 127.0.0.1:port any more (we can listen there ourselves). */
async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

const portOf = (uri: string) => Number(new URL(uri).port);

/**
 * A provider for the native client, with every token request's form recorded (and optionally
 * rewritten before it is sent), and the prompt handed to `onPrompt` (the test's "browser").
 */
async function setup(
  options: {
    choice?: () => UserChoice;
    onPrompt?: (prompt: AuthorizationPrompt) => void;
    rewriteForm?: (form: URLSearchParams) => void;
    grant?: Partial<Extract<TokenProviderOptions["grant"], { type: "authorization_code" }>>;
  } = {},
) {
  const server = await startLoginServer(options.choice ? { choice: options.choice } : {});
  closers.push(server.close);
  const prompts: AuthorizationPrompt[] = [];
  const forms: URLSearchParams[] = [];
  const events: TokenEvent[] = [];
  const pages: Array<Promise<Awaited<ReturnType<typeof browse>>>> = [];
  const provider = createTokenProvider({
    issuer: server.issuer,
    clientId: NATIVE_CLIENT_ID,
    clientAuth: "none",
    scope: "openid",
    grant: {
      type: "authorization_code",
      onAuthorizationUrl: (prompt) => {
        prompts.push(prompt);
        if (options.onPrompt) options.onPrompt(prompt);
        else pages.push(browse(prompt.authorizationUrl));
      },
      ...options.grant,
    },
    onEvent: (event) => events.push(event),
    fetch: async (request) => {
      if (request.method !== "POST") return fetch(request);
      const form = new URLSearchParams(await request.text());
      forms.push(new URLSearchParams(form));
      options.rewriteForm?.(form);
      return fetch(new Request(request, { body: form.toString() }));
    },
  });
  return { server, provider, prompts, forms, events, pages };
}

describe("authorization code with PKCE on a loopback redirect (oidc-provider plays the server, the test the browser)", () => {
  it("signs in through the provider's login and consent, and the token works", async () => {
    const { server, provider, prompts, forms, events, pages } = await setup();
    const token = await provider.getToken();

    // The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8252 §7.3).
    expect(prompts).toHaveLength(1);
    const prompt = prompts[0] as AuthorizationPrompt;
    const url = new URL(prompt.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.issuer}/auth`);
    const query = Object.fromEntries(url.searchParams);
    expect(query).toMatchObject({
      response_type: "code",
      client_id: NATIVE_CLIENT_ID,
      redirect_uri: prompt.redirectUri,
      scope: "openid",
      code_challenge_method: "S256",
    });
    expect(prompt.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(query.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(events.filter((event) => event.type === "authorization-url")).toHaveLength(1);

    // The browser went through login and consent and ended on passgrant's page.
    const page = await pages[0];
    expect(server.interactions).toEqual(["login", "consent"]);
    expect(page?.visited.at(-1)).toMatch(new RegExp(`^${prompt.redirectUri}\\?code=`));
    expect(page?.status).toBe(200);
    expect(page?.html).toContain("You may close this window");
    expect(page?.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(page?.headers.get("referrer-policy")).toBe("no-referrer");

    // The token request carried the code, the same redirect_uri and the verifier of the challenge.
    const exchange = Object.fromEntries(forms[0] ?? []);
    expect(exchange).toMatchObject({
      grant_type: "authorization_code",
      redirect_uri: prompt.redirectUri,
      client_id: NATIVE_CLIENT_ID,
    });
    expect(exchange.scope).toBeUndefined();
    expect(exchange.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      createHash("sha256")
        .update(exchange.code_verifier ?? "")
        .digest("base64url"),
    ).toBe(query.code_challenge);

    // The token is real: the provider's userinfo endpoint answers for alice.
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toEqual({ sub: "alice" });

    // The listener is gone.
    expect(await portIsFree(portOf(prompt.redirectUri))).toBe(true);

    // Later renewals use the refresh token, not the browser again.
    expect(token.refreshToken).toBeTruthy();
    provider.invalidate(token.accessToken);
    const renewed = await provider.getToken();
    expect(renewed.accessToken).not.toBe(token.accessToken);
    expect(forms.map((form) => form.get("grant_type"))).toEqual([
      "authorization_code",
      "refresh_token",
    ]);
    expect(prompts).toHaveLength(1);
  });

  it("a denied sign-in (error=access_denied on the redirect) is an OAuthError, and the page says so", async () => {
    const { server, provider, pages } = await setup({ choice: () => "deny" });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: "ERR_OAUTH", error: "access_denied", status: 0 });
    expect((error as Error).message).toContain(
      "The authorization server refused the sign-in: access_denied: End-User aborted interaction",
    );
    expect((error as Error).message).toContain("run again and approve it");
    const page = await pages[0];
    expect(page?.status).toBe(400);
    expect(page?.html).toContain("did not grant access");
    expect(server.seen.some((line) => line.startsWith("POST /token"))).toBe(false);
  });

  it("refuses an answer whose state is not the one sent, and never sends its code", async () => {
    let page: Promise<Awaited<ReturnType<typeof visit>>> | undefined;
    const { server, provider, prompts } = await setup({
      onPrompt: (prompt) => {
        page = visit(`${prompt.redirectUri}?code=forged-code&state=not-the-state`);
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationCallbackError);
    expect(error).toMatchObject({ code: "ERR_AUTHORIZATION", reason: "state_mismatch" });
    expect((error as Error).message).toContain("RFC 6749 §10.12");
    const answer = await page;
    expect(answer?.status).toBe(400);
    expect(answer?.html).toContain("its state or issuer does not match");
    expect(server.seen.some((line) => line.startsWith("POST /token"))).toBe(false);
    expect(await portIsFree(portOf(prompts[0]?.redirectUri ?? ""))).toBe(true);
  });

  it("requires iss when the server's metadata says it always sends it (RFC 9207 §3)", async () => {
    const { provider } = await setup({
      onPrompt: (prompt) => {
        const state = new URL(prompt.authorizationUrl).searchParams.get("state") ?? "";
        void visit(`${prompt.redirectUri}?code=c&state=${state}`);
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_AUTHORIZATION", reason: "issuer_mismatch" });
    expect((error as Error).message).toContain("The answer carries no `iss`");
  });

  it("refuses an answer naming another issuer (RFC 9207 mix-up defence)", async () => {
    let page: Promise<Awaited<ReturnType<typeof visit>>> | undefined;
    const { provider } = await setup({
      onPrompt: (prompt) => {
        const state = new URL(prompt.authorizationUrl).searchParams.get("state") ?? "";
        page = visit(`${prompt.redirectUri}?code=c&state=${state}&iss=https%3A%2F%2Fevil.test`);
      },
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: "ERR_AUTHORIZATION",
      reason: "issuer_mismatch",
    });
    expect((await page)?.status).toBe(400);
  });

  it("the pages reflect nothing from the request; stray requests are answered without ending the wait", async () => {
    const strays: Array<{ status: number; html: string }> = [];
    let final: Promise<Awaited<ReturnType<typeof visit>>> | undefined;
    const { provider } = await setup({
      onPrompt: (prompt) => {
        const state = new URL(prompt.authorizationUrl).searchParams.get("state") ?? "";
        const issuer = new URL(prompt.authorizationUrl).origin;
        const origin = new URL(prompt.redirectUri).origin;
        final = (async () => {
          strays.push(await visit(`${origin}/favicon.ico`));
          strays.push(await visit(`${origin}/%3Cscript%3Ealert(1)%3C/script%3E`));
          // A DNS-rebound page reaches the port under another name: refused.
          strays.push(
            await rawGet(`${prompt.redirectUri}?code=c&state=${state}`, { host: "evil.test" }),
          );
          // Bounded request size: Node answers 431 and the listener keeps waiting.
          strays.push(await visit(`${prompt.redirectUri}?padding=${"x".repeat(20_000)}`));
          strays.push(await visit(prompt.redirectUri, { method: "POST", body: "code=c" }));
          strays.push(
            await visit(`${prompt.redirectUri}?code=c&state=${state}`, { method: "HEAD" }),
          );
          const hostile = encodeURIComponent('<script>alert("x")</script><img src=x onerror=y>');
          return visit(
            `${prompt.redirectUri}?error=${hostile}&error_description=${hostile}&state=${state}&iss=${encodeURIComponent(issuer)}`,
          );
        })();
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(strays.map((answer) => answer.status)).toEqual([404, 404, 400, 431, 405, 405]);
    for (const answer of strays) expect(answer.html).not.toMatch(/<script|<img|alert/);
    expect(error).toBeInstanceOf(OAuthError);
    const page = await final;
    expect(page?.status).toBe(400);
    expect(page?.html).not.toMatch(/<script|<img|alert|onerror/);
    expect(page?.html).toContain("did not grant access");
  });

  it("a wrong code_verifier is refused by the server (PKCE is checked), as invalid_grant with advice", async () => {
    const { provider, pages } = await setup({
      rewriteForm: (form) => {
        if (form.get("grant_type") === "authorization_code") {
          form.set("code_verifier", "A".repeat(43));
        }
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: "invalid_grant" });
    expect((error as Error).message).toContain("code_verifier does not match");
    expect((await pages[0])?.status).toBe(200);
  });

  it("stops waiting after timeoutMs, and the port is free again", async () => {
    const { provider, prompts, server } = await setup({
      onPrompt: () => {},
      grant: { timeoutMs: 300 },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationCallbackError);
    expect(error).toMatchObject({ reason: "timeout" });
    expect((error as Error).message).toContain("did not come back within");
    expect(await portIsFree(portOf(prompts[0]?.redirectUri ?? ""))).toBe(true);
    expect(server.seen.some((line) => line.startsWith("POST /token"))).toBe(false);
  });

  it("an aborted signal (Ctrl-C) stops the wait with AbortedError and closes the listener", async () => {
    const controller = new AbortController();
    const { provider, prompts } = await setup({
      onPrompt: () => setImmediate(() => controller.abort()),
      grant: { signal: controller.signal },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(await portIsFree(portOf(prompts[0]?.redirectUri ?? ""))).toBe(true);
  });

  it("checks its options before listening", () => {
    const base = { tokenUrl: "https://login.example.com/token", clientId: "c", clientAuth: "none" };
    expect(() =>
      createTokenProvider({
        ...base,
        clientAuth: "none",
        grant: {
          type: "authorization_code",
          timeoutMs: -1,
          port: 70000,
          redirectPath: "callback?x",
          parameters: { state: "mine", prompt: "login" },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringContaining("grant.timeoutMs"),
          expect.stringContaining("grant.port"),
          expect.stringContaining("grant.redirectPath"),
          "grant.parameters.state is set by passgrant itself; remove it.",
        ],
      }),
    );
  });

  it("without an issuer or authorizationUrl, says what to set", async () => {
    const provider = createTokenProvider({
      tokenUrl: "https://login.example.com/token",
      clientId: "c",
      clientAuth: "none",
      grant: { type: "authorization_code" },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("`authorizationUrl`");
  });
});

/** A bare authorization server on node:http: `/auth` sends the browser straight back with a code. */
async function bareServer(metadata: (origin: string) => Record<string, unknown> = () => ({})) {
  const challenges = new Map<string, string>();
  const tokenRequests: Array<{ form: URLSearchParams; authorization: string | undefined }> = [];
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/.well-known/oauth-authorization-server") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ issuer: origin, ...metadata(origin) }));
    }
    if (url.pathname === "/auth") {
      challenges.set("the-code", url.searchParams.get("code_challenge") ?? "");
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", "the-code");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      tokenRequests.push({ form, authorization: req.headers.authorization });
      const verifier = form.get("code_verifier") ?? "";
      const ok =
        challenges.get(form.get("code") ?? "") ===
        createHash("sha256").update(verifier).digest("base64url");
      res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          ok
            ? { access_token: "bare-access", token_type: "Bearer", expires_in: 600 }
            : { error: "invalid_grant" },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin, tokenRequests };
}

describe("authorization code without discovery, and what the metadata may not do", () => {
  it("uses authorizationUrl (its query kept) with a confidential client, without an issuer to check", async () => {
    const bare = await bareServer();
    const prompts: AuthorizationPrompt[] = [];
    let page: ReturnType<typeof browse> | undefined;
    const provider = createTokenProvider({
      tokenUrl: `${bare.origin}/token`,
      authorizationUrl: `${bare.origin}/auth?tenant=lab`,
      clientId: "confidential",
      clientSecret: "s3cret",
      grant: {
        type: "authorization_code",
        parameters: { prompt: "login" },
        onAuthorizationUrl: (prompt) => {
          prompts.push(prompt);
          page = browse(prompt.authorizationUrl);
        },
      },
    });
    expect((await provider.getToken()).accessToken).toBe("bare-access");
    expect((await page)?.status).toBe(200);
    const sent = new URL(prompts[0]?.authorizationUrl ?? "").searchParams;
    expect(sent.get("tenant")).toBe("lab");
    expect(sent.get("prompt")).toBe("login");
    expect(sent.get("scope")).toBeNull();
    const [request] = bare.tokenRequests;
    expect(request?.authorization).toMatch(/^Basic /);
    expect(request?.form.get("client_secret")).toBeNull();
    expect(request?.form.get("grant_type")).toBe("authorization_code");
  });

  it("refuses a plain-http authorization endpoint on another host before listening", async () => {
    const bare = await bareServer(() => ({
      token_endpoint: "http://127.0.0.1:9/token",
      authorization_endpoint: "http://login.example.com/auth",
    }));
    const prompts: AuthorizationPrompt[] = [];
    const provider = createTokenProvider({
      issuer: bare.origin,
      clientId: "c",
      clientAuth: "none",
      grant: { type: "authorization_code", onAuthorizationUrl: (prompt) => prompts.push(prompt) },
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: "ERR_INSECURE_TRANSPORT" });
    expect(prompts).toEqual([]);
  });
});
