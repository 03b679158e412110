import { ConfigError } from "../errors.js";

/** What one client authentication method sends, described once for everything that needs it. */
interface ClientAuthStrategy {
  /** What is sent, in a few words: for error hints and help texts. */
  readonly summary: string;
  /** Whether the method sends the client secret (every one but `none`). */
  readonly sendsSecret: boolean;
  /** The `Authorization` header value, for the methods that send one. */
  readonly authorization?: (clientId: string, clientSecret: string) => string;
  /** The form fields that carry the client's credentials. */
  readonly formFields: (clientId: string, clientSecret: string) => Record<string, string>;
}

/**
 * The client authentication methods: how the client proves itself to the token endpoint. Servers
 * disagree, so it is a choice. The one table the type, the validation, the `invalid_client` hint,
 * the secrets to redact and the CLI's `MSX_CLIENT_AUTH` all derive from.
 */
const STRATEGIES = {
  /** HTTP Basic with id and secret form-urlencoded first (RFC 6749 §2.3.1). The default. */
  basic: {
    summary: "HTTP Basic, id and secret form-encoded per RFC 6749 §2.3.1",
    sendsSecret: true,
    authorization: (id, secret) => basicAuthorization(id, secret, "basic"),
    formFields: () => ({}),
  },
  /** HTTP Basic of the raw `id:secret` (RFC 7617), what the MSX guide does. */
  "basic-raw": {
    summary: "HTTP Basic of the raw id:secret",
    sendsSecret: true,
    authorization: (id, secret) => basicAuthorization(id, secret, "basic-raw"),
    formFields: () => ({}),
  },
  /** `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1, client_secret_post). */
  post: {
    summary: "client_id and client_secret in the form body",
    sendsSecret: true,
    formFields: (id, secret) => ({ client_id: id, client_secret: secret }),
  },
  /** A public client: `client_id` in the body only (RFC 6749 §3.2.1). */
  none: {
    summary: "client_id only, no secret",
    sendsSecret: false,
    formFields: (id) => ({ client_id: id }),
  },
} as const satisfies Record<string, ClientAuthStrategy>;

/**
 * How the client authenticates to the token endpoint:
 * - `basic` (default): HTTP Basic with id and secret form-urlencoded first (RFC 6749 §2.3.1);
 * - `basic-raw`: HTTP Basic of the raw `id:secret` (RFC 7617; what the MSX guide does);
 * - `post`: `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1, client_secret_post);
 * - `none`: a public client, `client_id` in the body only (RFC 6749 §3.2.1).
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

/** Applies the client authentication `method` to a token request's headers and form. */
export function applyClientAuth(
  method: ClientAuthMethod,
  client: { clientId: string; clientSecret?: string | undefined },
  headers: Headers,
  form: URLSearchParams,
): void {
  const strategy: ClientAuthStrategy = STRATEGIES[method];
  const secret = strategy.sendsSecret ? secretOf(client) : "";
  if (strategy.authorization) {
    headers.set("Authorization", strategy.authorization(client.clientId, secret));
  }
  for (const [name, value] of Object.entries(strategy.formFields(client.clientId, secret))) {
    form.set(name, value);
  }
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
  const sent = `The client authenticated with \`clientAuth: "${method}"\` (${STRATEGIES[method].summary})`;
  if (!hasSecret) {
    return (
      `${sent}. Check \`clientId\`; if the client is confidential, set \`clientSecret\` and ` +
      `\`clientAuth: "${CLIENT_AUTH_METHODS[0]}"\``
    );
  }
  const others = CLIENT_AUTH_METHODS.filter((m) => m !== method && STRATEGIES[m].sendsSecret)
    .map((m) => `\`clientAuth: "${m}"\``)
    .join(" or ");
  return (
    `${sent}. If \`clientId\` and \`clientSecret\` are right, the server may expect another ` +
    `mode: try ${others}`
  );
}

/** Whether `method` sends the client secret. */
export function sendsSecret(method: ClientAuthMethod): boolean {
  return STRATEGIES[method].sendsSecret;
}

function secretOf(client: { clientSecret?: string | undefined }): string {
  if (client.clientSecret === undefined) {
    throw new ConfigError('clientSecret is required unless clientAuth is "none".');
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
