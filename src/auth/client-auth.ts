import { ConfigError } from "../errors.js";
import {
  CLIENT_ASSERTION_LIFETIME_SECONDS,
  type ClientAssertionSigner,
  JWT_BEARER_ASSERTION_TYPE,
} from "./client-assertion.js";

/** The client's credentials, as the endpoints of the authorization server see them. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string | undefined;
  /** Signs a fresh client assertion for `private_key_jwt` (set from `clientAssertionKey`). */
  clientAssertion?: ClientAssertionSigner | undefined;
}

/** What proves the client's identity: its secret, its private key, its TLS certificate, or nothing. */
type ClientProof = "secret" | "private-key" | "certificate" | "none";

/** Form fields now, or (for a signature) once they are ready. */
type FormFields = Record<string, string> | Promise<Record<string, string>>;

/** What one client authentication method sends, described once for everything that needs it. */
interface ClientAuthStrategy {
  /** What is sent, in a few words: for error hints and help texts. */
  readonly summary: string;
  readonly proof: ClientProof;
  /** The `Authorization` header value, for the methods that send one. */
  readonly authorization?: (clientId: string, clientSecret: string) => string;
  /**
   * The form fields that carry the client's credentials for a request to `endpointUrl`. Only a
   * method that signs returns a Promise; the others stay synchronous, so they cost no extra turn.
   */
  readonly formFields: (
    client: ClientCredentials,
    clientSecret: string,
    endpointUrl: string,
  ) => FormFields;
}

/** RFC 8705 §2: the certificate goes in the TLS handshake; the body names the client. */
const mutualTls = (summary: string): ClientAuthStrategy => ({
  summary,
  proof: "certificate",
  formFields: (client) => ({ client_id: client.clientId }),
});

/**
 * The client authentication methods: how the client proves itself to the token endpoint. Servers
 * disagree, so it is a choice. The one table the type, the validation, the `invalid_client` hint,
 * the secrets to redact and the CLI's `MSX_CLIENT_AUTH` all derive from.
 */
const STRATEGIES = {
  /** HTTP Basic with id and secret form-urlencoded first (RFC 6749 §2.3.1). The default. */
  basic: {
    summary: "HTTP Basic, id and secret form-encoded per RFC 6749 §2.3.1",
    proof: "secret",
    authorization: (id, secret) => basicAuthorization(id, secret, "basic"),
    formFields: () => ({}),
  },
  /** HTTP Basic of the raw `id:secret` (RFC 7617), what the MSX guide does. */
  "basic-raw": {
    summary: "HTTP Basic of the raw id:secret",
    proof: "secret",
    authorization: (id, secret) => basicAuthorization(id, secret, "basic-raw"),
    formFields: () => ({}),
  },
  /** `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1, client_secret_post). */
  post: {
    summary: "client_id and client_secret in the form body",
    proof: "secret",
    formFields: (client, secret) => ({ client_id: client.clientId, client_secret: secret }),
  },
  /** A public client: `client_id` in the body only (RFC 6749 §3.2.1). */
  none: {
    summary: "client_id only, no secret",
    proof: "none",
    formFields: (client) => ({ client_id: client.clientId }),
  },
  /**
   * A JWT signed with the client's private key (RFC 7523 §2.2, OpenID Connect Core §9), a fresh
   * one for every request. `client_id` is sent too: RFC 7521 §4.2 allows it, and servers that
   * look the client up before reading the assertion need it.
   */
  private_key_jwt: {
    summary: "a JWT signed with the client's private key (RFC 7523)",
    proof: "private-key",
    formFields: async (client, _secret, endpointUrl) => {
      if (!client.clientAssertion) {
        throw new ConfigError(
          'clientAuth "private_key_jwt" needs `clientAssertionKey`: the private key whose public key the server has registered for the client.',
        );
      }
      return {
        client_id: client.clientId,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: await client.clientAssertion(endpointUrl),
      };
    },
  },
  /** A certificate from a CA the server trusts, over mutual TLS (RFC 8705 §2.1). */
  tls_client_auth: mutualTls("a client certificate over mutual TLS, CA-issued (RFC 8705 §2.1)"),
  /** A self-signed certificate registered with the client, over mutual TLS (RFC 8705 §2.2). */
  self_signed_tls_client_auth: mutualTls(
    "a self-signed client certificate over mutual TLS (RFC 8705 §2.2)",
  ),
} as const satisfies Record<string, ClientAuthStrategy>;

/**
 * How the client authenticates to the token endpoint:
 * - `basic` (default): HTTP Basic with id and secret form-urlencoded first (RFC 6749 §2.3.1);
 * - `basic-raw`: HTTP Basic of the raw `id:secret` (RFC 7617; what the MSX guide does);
 * - `post`: `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1, client_secret_post);
 * - `none`: a public client, `client_id` in the body only (RFC 6749 §3.2.1);
 * - `private_key_jwt`: a JWT signed with `clientAssertionKey` (RFC 7523 §2.2, OpenID Connect
 *   Core §9);
 * - `tls_client_auth` / `self_signed_tls_client_auth`: the transport's client certificate
 *   (`clientCertFile`) over mutual TLS, `client_id` in the body (RFC 8705 §2.1, §2.2).
 */
export type ClientAuthMethod = keyof typeof STRATEGIES;

/** Every client authentication method, the default (`basic`) first. */
export const CLIENT_AUTH_METHODS = Object.freeze(
  Object.keys(STRATEGIES) as ClientAuthMethod[],
) as readonly [ClientAuthMethod, ...ClientAuthMethod[]];

/** What `method` sends, in a few words (for help texts). */
export function clientAuthSummary(method: ClientAuthMethod): string {
  return STRATEGIES[method].summary;
}

/**
 * The `Authorization` header value for HTTP Basic client authentication.
 *
 * `basic` follows RFC 6749 §2.3.1: id and secret are each encoded with
 * application/x-www-form-urlencoded (Appendix B) before `id:secret` is base64-encoded, so a `:`
 * in the id cannot split it. Only what must be encoded is: `encodeURIComponent` leaves
 * `A-Z a-z 0-9 - _ . ! ~ * ' ( )` alone, which every form decoder reads back unchanged, and the
 * space becomes `+`. (Peers that encoded more, or less, broke ids with `-`, `+` or `:`.)
 *
 * `basic-raw` is plain RFC 7617 (UTF-8 `id:secret`, base64), what the MSX guide and many servers
 * that do not decode the credentials expect.
 */
export function basicAuthorization(
  clientId: string,
  clientSecret: string,
  mode: "basic" | "basic-raw" = "basic",
): string {
  const pair =
    mode === "basic"
      ? `${formEncode(clientId)}:${formEncode(clientSecret)}`
      : `${clientId}:${clientSecret}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

/** RFC 6749 Appendix B form-urlencoding of one value, encoding no more than necessary. */
export function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

/**
 * Applies the client authentication `method` to a request's headers and form. Synchronous for
 * every method but `private_key_jwt`, whose signature is awaited: only then is a Promise returned.
 */
export function applyClientAuth(
  method: ClientAuthMethod,
  client: ClientCredentials,
  headers: Map<string, string>,
  form: URLSearchParams,
  endpointUrl: string,
): void | Promise<void> {
  const strategy: ClientAuthStrategy = STRATEGIES[method];
  const secret = strategy.proof === "secret" ? secretOf(client) : "";
  if (strategy.authorization) {
    headers.set("Authorization", strategy.authorization(client.clientId, secret));
  }
  const fields = strategy.formFields(client, secret, endpointUrl);
  if (fields instanceof Promise) return fields.then((ready) => setFields(form, ready));
  setFields(form, fields);
}

function setFields(form: URLSearchParams, fields: Record<string, string>): void {
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
}

/**
 * Every `Authorization` value the client's credentials can take, whichever method: a server that
 * echoes one back is redacted even when it quotes the other Basic form.
 */
export function authorizationValues(clientId: string, clientSecret: string): string[] {
  const values: string[] = [];
  for (const strategy of Object.values(STRATEGIES) as ClientAuthStrategy[]) {
    if (strategy.authorization) values.push(strategy.authorization(clientId, clientSecret));
  }
  return values;
}

/**
 * The advice the `invalid_client` error adds: which mode was used and which others fit. With a
 * secret, only the modes that send it; `none` would only make a confidential client fail
 * differently. Options are named in backquotes, so a CLI can say them in its own words.
 */
export function clientAuthHint(method: ClientAuthMethod, hasSecret: boolean): string {
  const strategy: ClientAuthStrategy = STRATEGIES[method];
  const sent = `The client authenticated with \`clientAuth: "${method}"\` (${strategy.summary})`;
  if (strategy.proof === "private-key") {
    return (
      `${sent}. Check that the server has the public key of \`clientAssertionKey\` registered ` +
      "for `clientId` (its JWKS), that the key is the matching private one, that the server " +
      "accepts its algorithm (`clientAssertionAlg`), and that this machine's clock is right " +
      `(an assertion is valid for ${CLIENT_ASSERTION_LIFETIME_SECONDS} s)`
    );
  }
  if (strategy.proof === "certificate") {
    return (
      `${sent}. Check that \`clientCertFile\` is the certificate registered for \`clientId\` ` +
      "(its subject, or for a self-signed one the certificate itself), that it has not expired, " +
      "and that nothing between here and the server ends TLS and drops it"
    );
  }
  if (!hasSecret) {
    return (
      `${sent}. Check \`clientId\`; if the client is confidential, set \`clientSecret\` and ` +
      `\`clientAuth: "${CLIENT_AUTH_METHODS[0]}"\``
    );
  }
  const others = CLIENT_AUTH_METHODS.filter((m) => m !== method && sendsSecret(m))
    .map((m) => `\`clientAuth: "${m}"\``)
    .join(" or ");
  return (
    `${sent}. If \`clientId\` and \`clientSecret\` are right, the server may expect another ` +
    `mode: try ${others}`
  );
}

/** Whether `method` sends the client secret. */
export function sendsSecret(method: ClientAuthMethod): boolean {
  return STRATEGIES[method].proof === "secret";
}

/** Whether `method` signs assertions with `clientAssertionKey` (`private_key_jwt`). */
export function signsAssertion(method: ClientAuthMethod): boolean {
  return STRATEGIES[method].proof === "private-key";
}

/** Whether `method` proves the client with the transport's TLS client certificate (RFC 8705). */
export function usesClientCertificate(method: ClientAuthMethod): boolean {
  return STRATEGIES[method].proof === "certificate";
}

function secretOf(client: ClientCredentials): string {
  if (client.clientSecret === undefined) {
    throw new ConfigError("clientSecret is required with a clientAuth method that sends it.");
  }
  return client.clientSecret;
}

export function isClientAuthMethod(value: unknown): value is ClientAuthMethod {
  return typeof value === "string" && Object.hasOwn(STRATEGIES, value);
}

export function checkClientAuthMethod(value: unknown): ClientAuthMethod {
  if (isClientAuthMethod(value)) return value;
  throw new ConfigError(
    `clientAuth must be one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(value)}.`,
  );
}
