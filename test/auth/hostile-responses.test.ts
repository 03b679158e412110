import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basicAuthorization } from "../../src/auth/client-auth.js";
import { OAuthError } from "../../src/auth/oauth-error.js";
import { TokenResponseError } from "../../src/auth/token-response-error.js";
import { PassgrantError } from "../../src/errors.js";
import { HttpError } from "../../src/transport/errors.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  everyRendering,
  mockTokenEndpoint,
  PASSWORD,
  passwordProvider,
  setUpNock,
  tearDownNock,
} from "./helpers.js";

/** A token value the hostile server leaks back in its broken answers. */
const LEAKED_TOKEN = "LEAKEDaccessTOKENvalue0123456789";
const LEAKED_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdXBlcnVzZXIifQ.c2lnbmF0dXJlLXZhbHVl";
const SECRETS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  CLIENT_SECRET,
  LEAKED_TOKEN,
  LEAKED_JWT,
  basicAuthorization(CLIENT_ID, CLIENT_SECRET).slice("Basic ".length),
];

async function expectNoSecrets(error: unknown): Promise<void> {
  const shown = await everyRendering(error);
  for (const secret of SECRETS) expect(shown).not.toContain(secret);
}

const HTML_LOGIN = `<!DOCTYPE html><html><head><title>Sign in</title></head><body>
<form action="/login"><input name="username" value="superuser">
<input type="password" name="password" value="${PASSWORD}"></form></body></html>`;

const cases: Array<{
  name: string;
  status: number;
  body: string | Record<string, unknown>;
  headers?: Record<string, string>;
  type: new (...args: never[]) => PassgrantError;
  message: RegExp;
}> = [
  {
    name: "an HTML login page echoing the password",
    status: 200,
    body: HTML_LOGIN,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    type: TokenResponseError,
    message: /HTML page instead of JSON.*`tokenUrl` should be the OAuth2 token endpoint/s,
  },
  {
    name: "an HTML error page with status 502",
    status: 502,
    body: "<html><body>Bad Gateway</body></html>",
    headers: { "Content-Type": "text/html" },
    type: HttpError,
    message: /HTTP 502/,
  },
  {
    name: "truncated JSON cut inside the token",
    status: 200,
    body: `{"access_token":"${LEAKED_TOKEN}`,
    headers: { "Content-Type": "application/json" },
    type: TokenResponseError,
    message: /not valid JSON/,
  },
  {
    name: "truncated JSON with a JWT",
    status: 200,
    body: `{"id_token":"${LEAKED_JWT}","access_token":"${LEAKED_TOKEN}","token_type":"be`,
    headers: { "Content-Type": "application/json" },
    type: TokenResponseError,
    message: /not valid JSON/,
  },
  {
    name: "wrong member types",
    status: 200,
    body: {
      access_token: 12345,
      token_type: ["bearer"],
      expires_in: "soon",
      refresh_token: LEAKED_TOKEN,
    },
    type: TokenResponseError,
    message: /access_token.*expires_in/s,
  },
  {
    name: "an empty access_token",
    status: 200,
    body: { access_token: "", token_type: "bearer" },
    type: TokenResponseError,
    message: /access_token/,
  },
  {
    name: "a 200 with an error member echoing the password",
    status: 200,
    body: { error: "invalid_grant", error_description: `password ${PASSWORD} is wrong` },
    type: OAuthError,
    message: /invalid_grant \(HTTP 200\)/,
  },
  {
    name: "a 200 with a non-string error member",
    status: 200,
    body: { error: { code: 42 } },
    type: OAuthError,
    message: /invalid_response/,
  },
  {
    name: "a JSON array",
    status: 200,
    body: JSON.stringify([{ access_token: LEAKED_TOKEN }]),
    headers: { "Content-Type": "application/json" },
    type: TokenResponseError,
    message: /expected a JSON object, got an array/,
  },
  {
    name: "JSON null",
    status: 200,
    body: "null",
    headers: { "Content-Type": "application/json" },
    type: TokenResponseError,
    message: /got null/,
  },
  {
    name: "an empty body",
    status: 200,
    body: "",
    type: TokenResponseError,
    message: /empty/,
  },
  {
    name: "a 5 MB body",
    status: 200,
    body: { access_token: LEAKED_TOKEN, padding: "x".repeat(5 * 1024 * 1024) },
    type: TokenResponseError,
    message: /larger than 1048576 bytes/,
  },
  {
    name: "a 400 with an enormous error_description",
    status: 400,
    body: { error: "invalid_request", error_description: `${"y".repeat(100_000)} ${PASSWORD}` },
    type: OAuthError,
    message: /invalid_request/,
  },
  {
    name: "a 401 with no body at all",
    status: 401,
    body: "",
    type: HttpError,
    message: /HTTP 401.*`clientAuth: "basic"`/s,
  },
];

describe("hostile token responses", () => {
  beforeEach(setUpNock);
  afterEach(tearDownNock);

  it.each(cases)(
    "$name: a typed error, no secret",
    async ({ status, body, headers, type, message }) => {
      mockTokenEndpoint(() => [status, body, headers]);
      const { provider } = passwordProvider();
      const error = await provider.getToken().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(PassgrantError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.length).toBeLessThan(1500);
      await expectNoSecrets(error);
    },
  );
});

describe("any token response at all", () => {
  it("yields a token or a PassgrantError, never a crash or a leaked secret", async () => {
    // Canaries: the caller's password anywhere; a token value only where tokens live.
    const anything = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(PASSWORD));
    const tokenish = fc.oneof(anything, fc.constant(LEAKED_TOKEN), fc.constant(LEAKED_JWT));
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record(
          {
            access_token: tokenish,
            refresh_token: tokenish,
            token_type: anything,
            expires_in: anything,
            scope: anything,
            error: anything,
            error_description: anything,
            code: anything,
            message: anything,
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc
        .tuple(fc.constantFrom(LEAKED_TOKEN, LEAKED_JWT), fc.nat(60))
        .map(([token, cut]) => `{"access_token":"${token}","expires_in":3600}`.slice(0, 18 + cut)),
    );
    const statuses = fc.constantFrom(200, 201, 400, 401, 403, 500);
    const types = fc.constantFrom("application/json", "text/plain", "text/html", "");
    await fc.assert(
      fc.asyncProperty(bodies, statuses, types, async (body, status, contentType) => {
        const { provider } = passwordProvider({
          fetch: async () =>
            new Response(body, {
              status,
              headers: contentType ? { "Content-Type": contentType } : {},
            }),
        });
        try {
          const token = await provider.getToken();
          expect(typeof token.accessToken).toBe("string");
          expect(token.accessToken.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(PassgrantError);
          await expectNoSecrets(error);
        }
      }),
      { numRuns: 300 },
    );
  });
});
