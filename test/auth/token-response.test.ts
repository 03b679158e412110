import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OAuthError } from "../../src/auth/oauth-error.js";
import { MAX_EXPIRES_IN_SECONDS } from "../../src/auth/token-response.js";
import { TokenResponseError } from "../../src/auth/token-response-error.js";
import { HttpError } from "../../src/transport/errors.js";
import {
  fakeClock,
  mockTokenEndpoint,
  passwordProvider,
  setUpNock,
  tearDownNock,
  tokenBody,
} from "./helpers.js";

beforeEach(setUpNock);
afterEach(tearDownNock);

function warningCodes(events: ReturnType<typeof passwordProvider>["events"]): string[] {
  return events.flatMap((e) => (e.type === "warning" ? [e.code] : []));
}

describe("normalised token responses", () => {
  it("normalises a well-formed response and keeps extra members in raw", async () => {
    const clock = fakeClock();
    mockTokenEndpoint(() => [200, tokenBody(1, { tenantId: "t-1", roles: ["ROLE_SUPER_USER"] })]);
    const { provider, events } = passwordProvider({ clock: clock.now });
    const token = await provider.getToken();
    expect(token).toEqual({
      accessToken: "access-token-1",
      tokenType: "Bearer",
      expiresAt: clock.now() + 3600_000,
      refreshToken: "refresh-token-1",
      scope: "read write",
      raw: tokenBody(1, { tenantId: "t-1", roles: ["ROLE_SUPER_USER"] }),
    });
    expect(JSON.parse(JSON.stringify(token))).toEqual(token);
    expect(warningCodes(events)).toEqual([]);
    expect(events.find((e) => e.type === "token")).toEqual({
      type: "token",
      grantType: "password",
      expiresAt: clock.now() + 3600_000,
    });
  });

  it.each([
    ["expires_in as a numeric string", { expires_in: "3600" }, "expires_in_string"],
    ["no token_type", { token_type: undefined }, "token_type_missing"],
    ["odd-cased token_type", { token_type: "BEARER" }, "token_type_case"],
    ["no expires_in", { expires_in: undefined }, "expires_in_missing"],
    ["null members", { scope: null }, "null_member"],
  ])("tolerates %s, with a typed warning", async (_name, extra, code) => {
    const clock = fakeClock();
    mockTokenEndpoint(() => [200, tokenBody(1, extra)]);
    const { provider, events } = passwordProvider({ clock: clock.now });
    const token = await provider.getToken();
    expect(token.accessToken).toBe("access-token-1");
    expect(token.tokenType).toBe("Bearer");
    expect(warningCodes(events)).toEqual([code]);
    const warning = events.find((e) => e.type === "warning");
    expect(warning && "message" in warning && warning.message.length).toBeGreaterThan(10);
  });

  it("reads expires_in given as a string as a number of seconds", async () => {
    const clock = fakeClock();
    mockTokenEndpoint(() => [200, tokenBody(1, { expires_in: "120" })]);
    const { provider } = passwordProvider({ clock: clock.now });
    expect((await provider.getToken()).expiresAt).toBe(clock.now() + 120_000);
  });

  it.each([
    ["milliseconds instead of seconds", 3_600_000],
    ["1e12", 1e12],
    ["1e308", 1e308],
  ])("caps expires_in (%s) at 24 h, with a warning", async (_name, expiresIn) => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint(() => [200, tokenBody(1, { expires_in: expiresIn })], 2);
    const { provider, events } = passwordProvider({ clock: clock.now });
    const token = await provider.getToken();
    expect(token.expiresAt).toBe(clock.now() + MAX_EXPIRES_IN_SECONDS * 1000);
    expect(MAX_EXPIRES_IN_SECONDS).toBe(86_400);
    expect(warningCodes(events)).toEqual(["expires_in_too_long"]);
    // Renewed within the day, not 1,000 days later.
    clock.advance(MAX_EXPIRES_IN_SECONDS * 1000);
    await provider.getToken();
    expect(seen).toHaveLength(2);
  });

  it("takes exactly 24 h without a warning", async () => {
    const clock = fakeClock();
    mockTokenEndpoint(() => [200, tokenBody(1, { expires_in: 86_400 })]);
    const { provider, events } = passwordProvider({ clock: clock.now });
    expect((await provider.getToken()).expiresAt).toBe(clock.now() + 86_400_000);
    expect(warningCodes(events)).toEqual([]);
  });

  it.each([
    ["0", 0],
    ["negative", -30],
    ["a negative string", "-30"],
  ])("reads expires_in %s as already expiring: used once, then renewed", async (_name, value) => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1, { expires_in: value })], 2);
    const { provider, events } = passwordProvider({ clock: clock.now });
    const token = await provider.getToken();
    expect(token.accessToken).toBe("access-token-1");
    expect(token.expiresAt).toBe(clock.now());
    expect(warningCodes(events)).toContain("expires_in_not_positive");
    expect((await provider.getToken()).accessToken).toBe("access-token-2");
    expect(seen).toHaveLength(2);
  });

  it("keeps a token without expires_in until it is invalidated", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint(() => [200, tokenBody(1, { expires_in: undefined })]);
    const { provider } = passwordProvider({ clock: clock.now });
    const token = await provider.getToken();
    expect(token.expiresAt).toBeUndefined();
    clock.advance(365 * 24 * 3600_000);
    await provider.getToken();
    expect(seen).toHaveLength(1);
  });

  it("accepts JSON served as text/plain, with a warning", async () => {
    mockTokenEndpoint(() => [200, JSON.stringify(tokenBody(1))]);
    const { provider, events } = passwordProvider();
    expect(await provider.getAccessToken()).toBe("access-token-1");
    expect(warningCodes(events)).toEqual(["content_type_not_json"]);
  });

  it("rejects a non-bearer token_type", async () => {
    mockTokenEndpoint(() => [200, tokenBody(1, { token_type: "mac" })]);
    const { provider } = passwordProvider();
    await expect(provider.getToken()).rejects.toThrow(/token_type "mac" is not supported/);
  });

  it.each([
    ["an access token with an ESC sequence", { access_token: "tok\u001b]0;SECRETPART\u0007" }],
    ["an access token with a newline", { access_token: "tok\nSECRETPART: 1" }],
    ["a refresh token with a control character", { refresh_token: "ref\u0000SECRETPART" }],
  ])("refuses %s (RFC 6749 Appendix A.12: VSCHAR only)", async (_name, members) => {
    mockTokenEndpoint(() => [200, tokenBody(1, members)]);
    const { provider } = passwordProvider();
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenResponseError);
    expect((error as TokenResponseError).message).toMatch(/visible ASCII/);
    expect((error as TokenResponseError).message).not.toMatch(/SECRETPART|non-empty/);
  });

  it.each([
    ["access_token a number", { access_token: 4242 }, "access_token", true],
    ["access_token empty", { access_token: "" }, "access_token", true],
    ["token_type a number", { token_type: 7 }, "token_type", false],
    ["expires_in a boolean", { expires_in: true }, "expires_in", false],
    ["expires_in a word", { expires_in: "SECRETPART" }, "expires_in", false],
    ["expires_in infinite (as a string)", { expires_in: "1e999" }, "expires_in", false],
    ["refresh_token an object", { refresh_token: { SECRETPART: 1 } }, "refresh_token", false],
    ["scope an array", { scope: ["SECRETPART"] }, "scope", false],
  ])(
    "refuses %s: a TokenResponseError naming the member, never its value",
    async (_name, members, member, hinted) => {
      mockTokenEndpoint(() => [200, tokenBody(1, members)]);
      const { provider } = passwordProvider();
      const error = await provider.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenResponseError);
      const message = (error as TokenResponseError).message;
      expect(message).toContain(`${member}: `);
      expect(message).toMatch(/RFC 6749 §5\.1/);
      expect(message).not.toMatch(/SECRETPART|4242/);
      expect((error as TokenResponseError).hint === "access_token must be a non-empty string").toBe(
        hinted,
      );
    },
  );

  it("a missing access_token is a TokenResponseError naming the member", async () => {
    mockTokenEndpoint(() => [200, { token_type: "bearer", expires_in: 60 }]);
    const { provider } = passwordProvider();
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenResponseError);
    expect((error as TokenResponseError).code).toBe("ERR_TOKEN_RESPONSE");
    expect((error as TokenResponseError).message).toMatch(/access_token/);
  });
});

describe("error responses", () => {
  it("maps an RFC 6749 §5.2 error body with error_uri and the request id", async () => {
    mockTokenEndpoint(() => [
      400,
      {
        error: "invalid_scope",
        error_description: "Scope not allowed",
        error_uri: "https://docs.example/scope",
      },
      { "X-Request-Id": "req-123" },
    ]);
    const { provider } = passwordProvider();
    const error = (await provider.getToken().catch((e: unknown) => e)) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: "ERR_OAUTH",
      error: "invalid_scope",
      errorDescription: "Scope not allowed",
      errorUri: "https://docs.example/scope",
      status: 400,
      requestId: "req-123",
    });
    expect(error.message).toContain("req-123");
    expect(error.message).toContain("`scope`");
  });

  it("maps the platform's { code, message } body into OAuthError", async () => {
    mockTokenEndpoint(() => [401, { code: "UNAUTHORIZED", message: "Bad credentials" }]);
    const { provider } = passwordProvider();
    const error = (await provider.getToken().catch((e: unknown) => e)) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      error: "UNAUTHORIZED",
      errorDescription: "Bad credentials",
      status: 401,
    });
  });

  it("turns a 500 without an OAuth body into an HttpError with the correlation id", async () => {
    mockTokenEndpoint(() => [500, "upstream exploded", { "X-B3-TraceId": "80f198ee56343ba8" }]);
    const { provider } = passwordProvider();
    const error = (await provider.getToken().catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      code: "ERR_HTTP",
      status: 500,
      method: "POST",
      url: "https://msx.test/idm/v2/token",
      requestId: "80f198ee56343ba8",
      body: "upstream exploded",
    });
  });
});
