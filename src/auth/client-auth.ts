import { ConfigError } from "../errors.js";
import type { ClientAuthMethod } from "./types.js";

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  "basic",
  "basic-raw",
  "post",
  "none",
];

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
  switch (method) {
    case "basic":
    case "basic-raw":
      headers.set("Authorization", basicAuthorization(client.clientId, secretOf(client), method));
      return;
    case "post":
      form.set("client_id", client.clientId);
      form.set("client_secret", secretOf(client));
      return;
    case "none":
      form.set("client_id", client.clientId);
      return;
  }
}

/**
 * The advice the `invalid_client` error adds: which mode was used and which others fit. With a
 * secret, only the modes that send it (`basic`, `basic-raw`, `post`); `none` would only make a
 * confidential client fail differently. Options are named in backquotes, so a CLI can say them in
 * its own words.
 */
export function clientAuthHint(method: ClientAuthMethod, hasSecret: boolean): string {
  const sent = `The client authenticated with \`clientAuth: "${method}"\` (${describeMethod(method)})`;
  if (!hasSecret) {
    return (
      `${sent}. Check \`clientId\`; if the client is confidential, set \`clientSecret\` and ` +
      `\`clientAuth: "basic"\``
    );
  }
  const others = CLIENT_AUTH_METHODS.filter((m) => m !== method && m !== "none")
    .map((m) => `\`clientAuth: "${m}"\``)
    .join(" or ");
  return (
    `${sent}. If \`clientId\` and \`clientSecret\` are right, the server may expect another ` +
    `mode: try ${others}`
  );
}

function describeMethod(method: ClientAuthMethod): string {
  switch (method) {
    case "basic":
      return "HTTP Basic, id and secret form-encoded per RFC 6749 §2.3.1";
    case "basic-raw":
      return "HTTP Basic of the raw id:secret";
    case "post":
      return "client_id and client_secret in the form body";
    case "none":
      return "client_id only, no secret";
  }
}

function secretOf(client: { clientSecret?: string | undefined }): string {
  if (client.clientSecret === undefined) {
    throw new ConfigError('clientSecret is required unless clientAuth is "none".');
  }
  return client.clientSecret;
}

export function checkClientAuthMethod(value: unknown): ClientAuthMethod {
  if (CLIENT_AUTH_METHODS.includes(value as ClientAuthMethod)) return value as ClientAuthMethod;
  throw new ConfigError(
    `clientAuth must be one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(value)}.`,
  );
}
