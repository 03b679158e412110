import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  createTokenProvider,
  type DeviceCodePrompt,
  type TokenSet,
  type TokenStore,
} from "../../src/index.js";
import {
  ACCESS_TOKEN_TYPE,
  CLIENT_ID,
  CLIENT_SECRET,
  decideDeviceCode,
  startExchangeServer,
  startOidcServer,
} from "./oidc-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function memoryStore(): TokenStore & { entries: Map<string, TokenSet> } {
  const entries = new Map<string, TokenSet>();
  return {
    entries,
    load: async (key) => entries.get(key),
    save: async (key, token) => void entries.set(key, token),
    clear: async (key) => void entries.delete(key),
  };
}

describe("introspection (RFC 7662) and revocation (RFC 7009) against oidc-provider", () => {
  it("introspects the current access token, revokes it, and the server then calls it inactive", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const store = memoryStore();
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
      store,
    });
    const token = await provider.getToken();
    const before = await provider.introspect();
    expect(before).toMatchObject({ active: true, client_id: CLIENT_ID });
    expect(store.entries.size).toBe(1);
    await provider.revoke();
    expect(store.entries.size).toBe(0);
    expect(await provider.introspect(token.accessToken)).toEqual({ active: false });
    expect(server.seen.filter((line) => line === "POST /token/revocation")).toHaveLength(1);
  });

  it("revokes the refresh token too, so the grant cannot be renewed", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    let prompt: DeviceCodePrompt | undefined;
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "openid offline_access",
      grant: { type: "device_code", onDeviceCode: (p) => (prompt = p) },
      sleep: async () => decideDeviceCode(server.provider, prompt?.userCode ?? "", "approve"),
    });
    const token = await provider.getToken();
    const refreshToken = token.refreshToken as string;
    expect(await provider.introspect(refreshToken, "refresh_token")).toMatchObject({
      active: true,
    });
    await provider.revoke();
    expect(await provider.introspect(refreshToken, "refresh_token")).toEqual({ active: false });
    expect(await provider.introspect(token.accessToken)).toEqual({ active: false });
    expect(server.seen.filter((line) => line === "POST /token/revocation")).toHaveLength(2);
  });

  it("says which option is missing without an issuer or endpoint", async () => {
    const provider = createTokenProvider({
      tokenUrl: "http://127.0.0.1:9/token",
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    });
    await expect(provider.introspect("some-token")).rejects.toThrow(ConfigError);
    await expect(provider.introspect("some-token")).rejects.toThrow(/`introspectionUrl`/);
  });
});

describe("token exchange (RFC 8693) against oidc-provider", () => {
  async function exchangeProvider() {
    const server = await startExchangeServer();
    closers.push(server.close);
    return server;
  }

  it("exchanges a token the provider issued for a new one, which its introspection knows", async () => {
    const server = await exchangeProvider();
    const options = {
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clientAuth: "post" as const,
    };
    const caller = await createTokenProvider({
      ...options,
      grant: { type: "client_credentials" },
    }).getToken();
    const exchange = createTokenProvider({
      ...options,
      grant: {
        type: "token_exchange",
        subjectToken: caller.accessToken,
        subjectTokenType: ACCESS_TOKEN_TYPE,
        audience: "orders-api",
      },
    });
    const token = await exchange.getToken();
    expect(token.accessToken).not.toBe(caller.accessToken);
    expect(token.raw.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(await exchange.introspect(token.accessToken)).toMatchObject({
      active: true,
      client_id: CLIENT_ID,
    });
  });

  it("a subject token the provider does not know is its invalid_grant, never showing the token", async () => {
    const server = await exchangeProvider();
    const error = await createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clientAuth: "post",
      grant: {
        type: "token_exchange",
        subjectToken: "made-up-subject-token",
        subjectTokenType: ACCESS_TOKEN_TYPE,
        audience: "orders-api",
      },
    })
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_OAUTH", error: "invalid_grant" });
    // The hint names the grant's members (RFC 8693 §2.2.2), not a password grant's.
    expect((error as { hint?: string }).hint).toMatch(
      /^The subject token was refused: .*`subjectToken`$/,
    );
    expect(JSON.stringify(error) + String(error)).not.toContain("made-up-subject-token");
  });
});

describe("token exchange (RFC 8693), the exact form, against a node:http server", () => {
  async function exchangeServer() {
    const forms: URLSearchParams[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        forms.push(form);
        const json = (status: number, value: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
        if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange") {
          return json(400, { error: "unsupported_grant_type" });
        }
        if (form.get("subject_token") !== "caller-token") {
          return json(400, {
            error: "invalid_grant",
            error_description: "subject_token is invalid",
          });
        }
        if (form.get("audience") !== "orders-api") return json(400, { error: "invalid_target" });
        json(200, {
          access_token: "exchanged-for-orders",
          issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
          token_type: "Bearer",
          expires_in: 60,
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { tokenUrl: `${origin}/token`, forms };
  }

  it("sends the subject token and audience, and returns the issued token", async () => {
    const server = await exchangeServer();
    const provider = createTokenProvider({
      tokenUrl: server.tokenUrl,
      clientId: CLIENT_ID,
      clientAuth: "post",
      clientSecret: CLIENT_SECRET,
      grant: {
        type: "token_exchange",
        subjectToken: "caller-token",
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
        audience: "orders-api",
      },
    });
    const token = await provider.getToken();
    expect(token.accessToken).toBe("exchanged-for-orders");
    expect(token.raw.issued_token_type).toBe("urn:ietf:params:oauth:token-type:access_token");
    expect(Object.fromEntries(server.forms[0] ?? [])).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "caller-token",
      subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
      audience: "orders-api",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it("a refused exchange is an OAuthError that never shows the subject token", async () => {
    const server = await exchangeServer();
    const provider = createTokenProvider({
      tokenUrl: server.tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: {
        type: "token_exchange",
        subjectToken: "wrong-token",
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
        audience: "orders-api",
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_OAUTH", error: "invalid_grant" });
    expect(JSON.stringify(error) + String(error)).not.toContain("wrong-token");
  });

  it("checks the grant's members up front", () => {
    expect(() =>
      createTokenProvider({
        tokenUrl: "http://127.0.0.1:9/token",
        clientId: CLIENT_ID,
        clientAuth: "none",
        grant: { type: "token_exchange", subjectToken: "t", subjectTokenType: "", actorToken: "a" },
      }),
    ).toThrow(/subjectTokenType[\s\S]*actorToken and actorTokenType together/);
  });
});
