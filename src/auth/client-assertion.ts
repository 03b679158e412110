import type { KeyObject } from "node:crypto";
import { ConfigError } from "../errors.js";
import { nodeCrypto } from "../lazy-builtins.js";
import { parsePrivateKey, pemSecrets, readPemFile } from "../transport/pem-files.js";

export { JWT_BEARER_ASSERTION_TYPE } from "../spec/client-assertion.js";

/** How long an assertion is valid: long enough for one request and a few seconds of clock skew. */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

/** The JWS algorithms a client assertion can be signed with (RFC 7518 §3.1, RFC 8037). */
export type ClientAssertionAlg =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA";

/** The options that configure `private_key_jwt` (a subset of `TokenProviderOptions`). */
export interface ClientAssertionOptions {
  clientAssertionKey?: KeyObject | string | Buffer | undefined;
  clientAssertionKeyFile?: string | undefined;
  clientAssertionAlg?: ClientAssertionAlg | undefined;
  clientAssertionKid?: string | undefined;
  clientAssertionAudience?: string | undefined;
}

/** Signs a fresh assertion for one request to `endpointUrl`. */
export type ClientAssertionSigner = (endpointUrl: string) => Promise<string>;

/** Each key type and the algorithms it signs with, the default first. */
const ALGS_BY_KEY: Readonly<Record<string, readonly ClientAssertionAlg[]>> = {
  rsa: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
  "ec:prime256v1": ["ES256"],
  "ec:secp384r1": ["ES384"],
  "ec:secp521r1": ["ES512"],
  ed25519: ["EdDSA"],
};

/** Whether the options name a key for client assertions. */
export function hasClientAssertionKey(options: ClientAssertionOptions): boolean {
  return options.clientAssertionKey !== undefined || options.clientAssertionKeyFile !== undefined;
}

/** The private key, checked: parsed once, when the provider is created. */
export function loadClientAssertionKey(options: ClientAssertionOptions): {
  key: KeyObject;
  alg: ClientAssertionAlg;
  secrets: string[];
} {
  let key: KeyObject;
  let secrets: string[] = [];
  if (options.clientAssertionKey !== undefined) {
    const given = options.clientAssertionKey;
    key = parsePrivateKey(given, "`clientAssertionKey`");
    if (typeof given === "string") secrets = pemSecrets(given);
  } else {
    const path = String(options.clientAssertionKeyFile);
    const pem = readPemFile(path, "clientAssertionKeyFile");
    key = parsePrivateKey(pem, `\`clientAssertionKeyFile\` ${JSON.stringify(path)}`);
    secrets = pemSecrets(pem);
  }
  return { key, alg: algorithmFor(key, options.clientAssertionAlg), secrets };
}

/**
 * The algorithm for `key`: `wanted` when the key can sign with it, else the key type's default
 * (RS256, ES256/384/512 by curve, EdDSA). Keys of other types are refused with what to use.
 */
export function algorithmFor(key: KeyObject, wanted?: ClientAssertionAlg): ClientAssertionAlg {
  const type = key.asymmetricKeyType ?? "unknown";
  const curve = type === "ec" ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const algs = ALGS_BY_KEY[curve ? `ec:${curve}` : type];
  if (!algs) {
    throw new ConfigError(
      `\`clientAssertionKey\` is a${curve ? ` ${curve}` : ""} ${type} key, which passgrant cannot sign client assertions with: use an RSA key (RS256, PS256), an EC key on P-256, P-384 or P-521, or an Ed25519 key.`,
    );
  }
  if (wanted === undefined) return algs[0] as ClientAssertionAlg;
  if (!algs.includes(wanted)) {
    throw new ConfigError(
      `\`clientAssertionAlg\` ${JSON.stringify(wanted)} does not fit the key (${curve ?? type}): use ${algs.join(", ")}.`,
    );
  }
  return wanted;
}

/**
 * A signer of client assertions (RFC 7523 §2.2 and §3, OpenID Connect Core §9 `private_key_jwt`):
 * `iss` and `sub` are the client id, `aud` the endpoint the request goes to (OpenID Connect
 * Core §9 names the token endpoint; `audience` overrides it, e.g. with the issuer), a random
 * `jti` so no two assertions repeat (RFC 7523 §3, item 7), `iat` now and `exp` 60 s later.
 *
 * jose is loaded on the first signature, not when passgrant is imported: every other client
 * authentication method, and a run answered from the token cache, never pays for it.
 */
export function createAssertionSigner(settings: {
  clientId: string;
  key: KeyObject;
  alg: ClientAssertionAlg;
  kid?: string | undefined;
  audience?: string | undefined;
  clock: () => number;
}): ClientAssertionSigner {
  // The JWT signer's own entry point (an export of jose's): the bundled CLI then carries it and
  // what it needs, not the whole of JOSE (JWE, JWKS fetching, ...).
  let jose: Promise<typeof import("jose/jwt/sign")> | undefined;
  return async (endpointUrl) => {
    jose ??= import("jose/jwt/sign");
    const { SignJWT } = await jose;
    const now = Math.floor(settings.clock() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: settings.alg, ...(settings.kid ? { kid: settings.kid } : {}) })
      .setIssuer(settings.clientId)
      .setSubject(settings.clientId)
      .setAudience(settings.audience ?? endpointUrl)
      .setJti(nodeCrypto().randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + CLIENT_ASSERTION_LIFETIME_SECONDS)
      .sign(settings.key);
  };
}
