/**
 * `Authorization: Bearer <token>` (RFC 6750 §2.1), read one way by the sandbox (which checks
 * tokens) and the nock kit (which checks what a client sent).
 */
export type BearerCredentials =
  | { readonly kind: "token"; readonly token: string }
  /** No Authorization header, or one of another scheme: no bearer credentials at all (§3.1). */
  | { readonly kind: "absent" }
  /** The Bearer scheme, but not followed by exactly one token of visible ASCII characters. */
  | { readonly kind: "malformed" };

/**
 * The bearer token of an Authorization header. The token is one run of visible ASCII (a
 * superset of §2.1's b64token that real servers accept, opaque or JWT), spaces or tabs around it.
 */
export function bearerCredentials(header: string | undefined): BearerCredentials {
  if (header === undefined || !/^bearer\b/i.test(header)) return { kind: "absent" };
  const token = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header)?.[1];
  return token === undefined ? { kind: "malformed" } : { kind: "token", token };
}
