import { createPublicKey, KeyObject } from "node:crypto";
import type { JSONWebKeySet } from "jose";
import { JWT_BEARER_ASSERTION_TYPE } from "../spec/client-assertion.js";
import type { ClientAssertionKey, MockClient } from "./expectation-types.js";

/**
 * How a token request's client authenticates in the form rather than in a Basic header, checked
 * against the client the mock expects: `client_id` and `client_secret` (RFC 6749 §2.3.1),
 * `client_id` alone (a public client, RFC 6749 §2.1, or a TLS client certificate the kit cannot
 * see, RFC 8705 §2), or a JWT client assertion (`private_key_jwt`, RFC 7523 §2.2). Every finding
 * is a sentence for a test failure; none quotes a secret or the assertion itself (a bearer
 * credential while it lasts).
 */

type Form = Readonly<Record<string, unknown>>;

const TWICE = "the client authenticated twice: %s (RFC 6749 §2.3 allows one method per request)";

/**
 * What is wrong with the client authentication in `form`, or `undefined` when the form carries
 * none (the Basic header is then what authenticates the client). `endpointUrl` is the URL the
 * request went to: an assertion's audience.
 */
export function checkFormClientAuth(
  form: Form,
  hasAuthorization: boolean,
  endpointUrl: string,
  client: MockClient | undefined,
): Promise<string[]> | undefined {
  const assertion = form.client_assertion !== undefined || form.client_assertion_type !== undefined;
  if (hasAuthorization && form.client_secret !== undefined) {
    return Promise.resolve([TWICE.replace("%s", "an Authorization header and client_secret")]);
  }
  if (hasAuthorization && assertion) {
    return Promise.resolve([TWICE.replace("%s", "an Authorization header and client_assertion")]);
  }
  if (assertion && form.client_secret !== undefined) {
    return Promise.resolve([TWICE.replace("%s", "client_secret and client_assertion")]);
  }
  if (assertion) return checkClientAssertion(form, endpointUrl, client);
  if (hasAuthorization || typeof form.client_id !== "string") return undefined;
  return Promise.resolve(checkBodyCredentials(form, client));
}

/**
 * `client_id` (and `client_secret`, `client_secret_post`) in the form, RFC 6749 §2.3.1. Without
 * a secret it is a public client or a certificate-bound one (RFC 8705 §2), which fits only a
 * client the mock expects to send no secret.
 */
function checkBodyCredentials(form: Form, client: MockClient | undefined): string[] {
  if (!client) return [];
  if (form.client_id !== client.clientId) return [wrongClientId(form.client_id, client)];
  if (form.client_secret === undefined) {
    if (client.assertion) {
      return [
        "the form has client_id but no client_assertion: the client authenticates with private_key_jwt (RFC 7523 §2.2)",
      ];
    }
    return client.clientSecret ? [MISSING_SECRET] : [];
  }
  if (!client.clientSecret) return [UNEXPECTED_SECRET];
  return form.client_secret === client.clientSecret
    ? []
    : ["the form's client_secret is the wrong client secret"];
}

const MISSING_SECRET =
  "the form has client_id but no client_secret or client_assertion (and no Basic header): the client's secret is missing (client_id alone is a public client, RFC 6749 §2.1, or one with a TLS client certificate, RFC 8705 §2)";

/** For a secret sent to a mock whose client has none. */
export const UNEXPECTED_SECRET =
  "the client sent a client secret, but the mock's client has none (it sends client_id alone, or a client assertion if `assertion` is set)";

function wrongClientId(given: unknown, client: MockClient): string {
  return `the form's client_id is ${JSON.stringify(given)} (expected ${JSON.stringify(client.clientId)})`;
}

/**
 * A JWT client assertion (RFC 7523 §2.2 for the form fields, §3 for the claims; OpenID Connect
 * Core §9 for `private_key_jwt`): decoded and verified with jose, loaded only when an assertion
 * arrives. Claims are checked here rather than by jose's `jwtVerify`, so that each problem gets
 * its own sentence and all of them are reported at once.
 */
async function checkClientAssertion(
  form: Form,
  endpointUrl: string,
  client: MockClient | undefined,
): Promise<string[]> {
  if (client && !client.assertion) {
    return [
      `the client authenticated with a client assertion (private_key_jwt, RFC 7523 §2.2), but the mock's client ${JSON.stringify(client.clientId)} has no \`assertion\` set (it expects ${client.clientSecret ? "its client secret" : "client_id alone"})`,
    ];
  }
  const problems: string[] = [];
  const type = form.client_assertion_type;
  if (type !== JWT_BEARER_ASSERTION_TYPE) {
    problems.push(
      type === undefined
        ? `the form has client_assertion but no client_assertion_type (expected "${JWT_BEARER_ASSERTION_TYPE}", RFC 7523 §2.2)`
        : `client_assertion_type is ${JSON.stringify(type)} (expected "${JWT_BEARER_ASSERTION_TYPE}", RFC 7523 §2.2)`,
    );
  }
  const jwt = form.client_assertion;
  if (typeof jwt !== "string" || jwt === "") {
    problems.push("the form has client_assertion_type but no client_assertion (RFC 7523 §2.2)");
    return problems;
  }
  const jose = await import("jose");
  let alg: unknown;
  let claims: Readonly<Record<string, unknown>>;
  try {
    alg = jose.decodeProtectedHeader(jwt).alg;
    claims = jose.decodeJwt(jwt);
  } catch {
    problems.push(
      "client_assertion is not a JWT in JWS compact serialization (RFC 7523 §2.2, RFC 7519 §7.2)",
    );
    return problems;
  }
  if (alg === "none" || (typeof alg === "string" && alg.startsWith("HS"))) {
    problems.push(
      alg === "none"
        ? "the client assertion is unsigned (alg none; RFC 7523 §3 item 9 requires a signature)"
        : `the client assertion is a MAC with a shared secret (alg ${alg}, client_secret_jwt), not a signature with the client's private key (private_key_jwt, OpenID Connect Core §9)`,
    );
  }
  const clientId =
    client?.clientId ?? (typeof form.client_id === "string" ? form.client_id : claims.iss);
  if (client && form.client_id !== undefined && form.client_id !== client.clientId) {
    problems.push(wrongClientId(form.client_id, client));
  }
  for (const [claim, item] of [
    ["iss", 1],
    ["sub", 2],
  ] as const) {
    if (claims[claim] !== clientId) {
      problems.push(
        `the client assertion's ${claim} is ${JSON.stringify(claims[claim])} (expected the client id ${JSON.stringify(clientId)}, RFC 7523 §3 item ${item})`,
      );
    }
  }
  const audience = audienceProblem(claims.aud, endpointUrl, client);
  if (audience) problems.push(audience);
  problems.push(...checkTimes(claims));
  const key = client?.assertion?.publicKey;
  if (key !== undefined) {
    const problem = await signatureProblem(jose, jwt, key);
    if (problem) problems.push(problem);
  }
  return problems;
}

function audienceProblem(
  aud: unknown,
  endpointUrl: string,
  client: MockClient | undefined,
): string | undefined {
  const accepted = [endpointUrl, client?.assertion?.audience].filter(
    (value): value is string => value !== undefined,
  );
  const given = Array.isArray(aud) ? aud : [aud];
  if (given.some((value) => typeof value === "string" && accepted.includes(value))) {
    return undefined;
  }
  const expected = accepted.map((value) => JSON.stringify(value)).join(" or ");
  return `the client assertion's aud is ${JSON.stringify(aud)} (expected the token endpoint ${expected}, RFC 7523 §3 item 3)`;
}

/** `exp` (required, RFC 7523 §3 item 4) and `nbf` (item 5) against the kit's clock. */
function checkTimes(claims: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const now = Date.now() / 1000;
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  if (typeof claims.exp !== "number") {
    problems.push("the client assertion has no exp (RFC 7523 §3 item 4 requires one)");
  } else if (claims.exp <= now) {
    problems.push(
      `the client assertion expired at ${iso(claims.exp)} (its exp; the kit's clock reads ${iso(now)}, RFC 7523 §3 item 4)`,
    );
  }
  if (typeof claims.nbf === "number" && claims.nbf > now) {
    problems.push(
      `the client assertion is not valid before ${iso(claims.nbf)} (its nbf; the kit's clock reads ${iso(now)}, RFC 7523 §3 item 5)`,
    );
  }
  return problems;
}

async function signatureProblem(
  jose: typeof import("jose"),
  jwt: string,
  key: ClientAssertionKey,
): Promise<string | undefined> {
  try {
    if (isKeySet(key)) await jose.compactVerify(jwt, jose.createLocalJWKSet(key));
    else await jose.compactVerify(jwt, publicKeyOf(key));
    return undefined;
  } catch (error) {
    if (error instanceof jose.errors.JWSSignatureVerificationFailed) {
      return "the client assertion's signature does not verify with the mock's public key (signed with another key?)";
    }
    if (error instanceof jose.errors.JWKSNoMatchingKey) {
      return "no key of the mock's JWK Set matches the client assertion's kid and alg";
    }
    return `the client assertion's signature cannot be checked with the mock's public key: ${(error as Error).message}`;
  }
}

function isKeySet(key: ClientAssertionKey): key is JSONWebKeySet {
  return (
    typeof key === "object" &&
    !(key instanceof KeyObject) &&
    "keys" in key &&
    Array.isArray(key.keys)
  );
}

/** The public key of `key` (a private key gives its public half). Throws when it is none. */
function publicKeyOf(key: Exclude<ClientAssertionKey, JSONWebKeySet>): KeyObject {
  if (key instanceof KeyObject) return key.type === "private" ? createPublicKey(key) : key;
  if (typeof key === "string") return createPublicKey(key);
  return createPublicKey({ key: key as import("node:crypto").JsonWebKey, format: "jwk" });
}

/**
 * Checks the mock's key when the mock is made, so a test that gives a wrong one hears it there
 * rather than as a violation of the code under test.
 */
export function checkAssertionKey(key: ClientAssertionKey | undefined): void {
  if (key === undefined) return;
  try {
    if (!isKeySet(key)) {
      publicKeyOf(key);
      return;
    }
    for (const jwk of key.keys) {
      createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
    }
  } catch (error) {
    throw new TypeError(
      `passgrant/testing: client.assertion.publicKey is not a public key (a KeyObject, PEM, JWK or JWK Set): ${(error as Error).message}`,
    );
  }
}
