// The nock kit's token endpoint knows every client authentication method passgrant sends:
// `private_key_jwt` (RFC 7523 §2.2: client_assertion + client_assertion_type, the JWT's claims
// per §3, its signature when the mock has the key) and mutual TLS (RFC 8705 §2: client_id in the
// form, no secret; the certificate is in the TLS handshake, which nock never sees).
import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenProvider, OAuthError } from "../../src/index.js";
import {
  ContractViolationError,
  type MockClient,
  mockMsx,
  VIOLATION_STATUS,
} from "../../src/testing/index.js";
import { useNockHygiene } from "./nock-hygiene.js";

useNockHygiene();

const BASE = "https://msx.example.test";
const TOKEN_URL = `${BASE}/idm/v2/token`;
const CLIENT_ID = "jwt-client";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }) as string;

function violations(mock: { verify(): void }): string {
  try {
    mock.verify();
    return "";
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolationError);
    return (error as Error).message;
  }
}

/** A client-credentials provider that signs its assertions with `key` (passgrant's own signer). */
function jwtProvider(key = keys.privateKey, extra: Record<string, unknown> = {}) {
  return createTokenProvider({
    tokenUrl: TOKEN_URL,
    clientId: CLIENT_ID,
    clientAuth: "private_key_jwt",
    clientAssertionKey: key,
    grant: { type: "client_credentials" },
    ...extra,
  });
}

/** An assertion built by hand, to send what passgrant never would. */
async function assertion(
  claims: { iss?: string; sub?: string; aud?: string | string[]; exp?: number },
  key = keys.privateKey,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuedAt(now);
  const { iss = CLIENT_ID, sub = CLIENT_ID, aud = TOKEN_URL, exp = now + 60 } = claims;
  return jwt.setIssuer(iss).setSubject(sub).setAudience(aud).setExpirationTime(exp).sign(key);
}

function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ grant_type: "client_credentials", ...fields }).toString(),
  });
}

const jwtClient = (assertionOptions: MockClient["assertion"] = {}): MockClient => ({
  clientId: CLIENT_ID,
  assertion: assertionOptions,
});

describe("private_key_jwt at the kit's token endpoint (RFC 7523)", () => {
  it("accepts passgrant's signed assertion, verifying it with the public key (PEM, KeyObject, JWK Set)", async () => {
    const jwk = { ...keys.publicKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" };
    for (const publicKey of [publicPem, keys.publicKey, { keys: [jwk] }]) {
      const msx = mockMsx(BASE, { client: jwtClient({ publicKey }) }).getAccessToken();
      const token = await jwtProvider(keys.privateKey, { clientAssertionKid: "k1" }).getToken();
      expect(token.accessToken).toMatch(/\S/);
      expect(violations(msx)).toBe("");
      // The assertion is a bearer credential while it lasts: the recording masks it.
      expect(msx.requests[0]?.body).toMatchObject({
        client_id: CLIENT_ID,
        client_assertion_type: JWT_BEARER,
        client_assertion: "<redacted>",
      });
    }
  });

  it("accepts an assertion for the configured audience (clientAssertionAudience, e.g. the issuer)", async () => {
    const msx = mockMsx(BASE, { client: jwtClient({ audience: BASE }) }).getAccessToken();
    await jwtProvider(keys.privateKey, { clientAssertionAudience: BASE }).getToken();
    expect(violations(msx)).toBe("");
  });

  it("refuses an assertion signed with another key: the provider hears invalid_request, verify() says why", async () => {
    const msx = mockMsx(BASE, { client: jwtClient({ publicKey: publicPem }) }).getAccessToken();
    await expect(jwtProvider(stranger.privateKey).getToken()).rejects.toBeInstanceOf(OAuthError);
    expect(violations(msx)).toContain(
      "the client assertion's signature does not verify with the mock's public key",
    );
  });

  it("checks the claims without a key: iss and sub are the client id, aud the token endpoint, exp ahead", async () => {
    const msx = mockMsx(BASE, { client: jwtClient() }).getAccessToken();
    const jwt = await assertion({
      iss: "someone-else",
      sub: "another",
      aud: "https://elsewhere.test/token",
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const response = await tokenRequest({
      client_id: CLIENT_ID,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
    });
    expect(response.status).toBe(VIOLATION_STATUS);
    const message = violations(msx);
    expect(message).toContain(
      `the client assertion's iss is "someone-else" (expected the client id "${CLIENT_ID}", RFC 7523 §3 item 1)`,
    );
    expect(message).toContain(`the client assertion's sub is "another"`);
    expect(message).toContain(
      `the client assertion's aud is "https://elsewhere.test/token" (expected the token endpoint "${TOKEN_URL}"`,
    );
    expect(message).toContain("the client assertion expired at");
    // Never the assertion itself, in the message or the response.
    expect(message).not.toContain(jwt);
    expect(await response.text()).not.toContain(jwt);
  });

  it("refuses a wrong client_assertion_type, a non-JWT assertion, and an unsigned one", async () => {
    const wrongType = mockMsx(BASE, { client: jwtClient() }).getAccessToken();
    await tokenRequest({ client_assertion_type: "jwt", client_assertion: await assertion({}) });
    expect(violations(wrongType)).toContain(
      `client_assertion_type is "jwt" (expected "${JWT_BEARER}", RFC 7523 §2.2)`,
    );
    const notJwt = mockMsx(BASE, { client: jwtClient() }).getAccessToken();
    await tokenRequest({ client_assertion_type: JWT_BEARER, client_assertion: "not-a-jwt" });
    expect(violations(notJwt)).toContain("client_assertion is not a JWT");
    const unsigned = mockMsx(BASE).getAccessToken();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_URL, exp: now + 60 };
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    await tokenRequest({
      client_assertion_type: JWT_BEARER,
      client_assertion: `${b64({ alg: "none" })}.${b64(claims)}.`,
    });
    expect(violations(unsigned)).toContain("the client assertion is unsigned (alg none");
  });

  it("with no client configured, still checks the assertion against the form's client_id", async () => {
    const ok = mockMsx(BASE).getAccessToken();
    await jwtProvider().getToken();
    expect(violations(ok)).toBe("");
    const mismatch = mockMsx(BASE).getAccessToken();
    await tokenRequest({
      client_id: "other-client",
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion({}),
    });
    expect(violations(mismatch)).toContain(
      `the client assertion's iss is "${CLIENT_ID}" (expected the client id "other-client"`,
    );
  });

  it("refuses an assertion together with another method, and the wrong method for the client", async () => {
    const jwt = await assertion({});
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:secret`).toString("base64")}`;
    const twice = mockMsx(BASE).getAccessToken();
    await tokenRequest(
      { client_assertion_type: JWT_BEARER, client_assertion: jwt },
      { authorization: basic },
    );
    expect(violations(twice)).toContain(
      "the client authenticated twice: an Authorization header and client_assertion",
    );
    // A client registered with a secret cannot switch to an assertion, nor the other way round.
    const secretClient = mockMsx(BASE, {
      client: { clientId: CLIENT_ID, clientSecret: "s3cret" },
    }).getAccessToken();
    await tokenRequest({ client_assertion_type: JWT_BEARER, client_assertion: jwt });
    expect(violations(secretClient)).toContain(
      "has no `assertion` set (it expects its client secret)",
    );
    const idAlone = mockMsx(BASE, { client: jwtClient() }).getAccessToken();
    await tokenRequest({ client_id: CLIENT_ID });
    expect(violations(idAlone)).toContain(
      "no client_assertion: the client authenticates with private_key_jwt",
    );
    const basicInstead = mockMsx(BASE, { client: jwtClient() }).getAccessToken();
    await tokenRequest({}, { authorization: basic });
    expect(violations(basicInstead)).toContain(
      "the client sent a client secret, but the mock's client has none",
    );
  });

  it("refuses, when the mock is made, a public key that is none", () => {
    expect(() => mockMsx(BASE, { client: jwtClient({ publicKey: "not a key" }) })).toThrow(
      /client\.assertion\.publicKey is not a public key/,
    );
  });
});

describe("mutual TLS at the kit's token endpoint (RFC 8705 §2)", () => {
  it("accepts passgrant's tls_client_auth and self_signed_tls_client_auth requests: client_id alone, no secret", async () => {
    for (const clientAuth of ["tls_client_auth", "self_signed_tls_client_auth"] as const) {
      const msx = mockMsx(BASE, { client: { clientId: "mtls-client" } }).getAccessToken();
      const token = await createTokenProvider({
        tokenUrl: TOKEN_URL,
        clientId: "mtls-client",
        clientAuth,
        grant: { type: "client_credentials" },
      }).getToken();
      expect(token.accessToken).toMatch(/\S/);
      expect(violations(msx)).toBe("");
      expect(msx.requests[0]).toMatchObject({
        authorizationScheme: undefined,
        body: { grant_type: "client_credentials", client_id: "mtls-client" },
      });
    }
  });

  it("refuses a certificate client that sends a secret, and says what a client with a secret lacks", async () => {
    const withSecret = mockMsx(BASE, { client: { clientId: "mtls-client" } }).getAccessToken();
    await tokenRequest({ client_id: "mtls-client", client_secret: "leaked" });
    const message = violations(withSecret);
    expect(message).toContain("the client sent a client secret, but the mock's client has none");
    expect(message).not.toContain("leaked");
    const confidential = mockMsx(BASE, {
      client: { clientId: "mtls-client", clientSecret: "s3cret" },
    }).getAccessToken();
    await tokenRequest({ client_id: "mtls-client" });
    expect(violations(confidential)).toContain("a TLS client certificate, RFC 8705 §2");
  });
});
