/**
 * HTTP Basic credentials (RFC 7617) as OAuth2 clients send them to a token endpoint
 * (RFC 6749 §2.3.1). One decoder, strict where the RFCs are, shared by the sandbox (which
 * authenticates clients) and the nock kit (which checks what a client sent).
 */

/** The two halves of a Basic credential, exactly as decoded (not yet form-decoded). */
export interface BasicCredentials {
  readonly id: string;
  readonly secret: string;
}

/**
 * Base64 as RFC 7617 §2 asks for it: RFC 4648 §4's alphabet, with its padding, in groups of
 * four. No whitespace, no URL-safe alphabet, no missing or extra `=`.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Splits `Authorization: <scheme> <credentials>`; the scheme is compared case-insensitively. */
export function splitAuthorization(
  header: string | undefined,
): { scheme: string; credentials: string } | undefined {
  const trimmed = header?.trim();
  if (!trimmed) return undefined;
  const [scheme = "", ...rest] = trimmed.split(/\s+/);
  return { scheme, credentials: rest.join(" ") };
}

/**
 * Decodes the token68 of a Basic header into `id:secret`, or `undefined` when it is not
 * canonical base64 (RFC 4648 §3.5: a decoder may reject non-zero pad bits, and we do, so that
 * one credential has one spelling), not UTF-8 (RFC 7617 §2.1), or has no colon (RFC 7617 §2:
 * the user-id cannot contain one, the password may).
 */
export function decodeBasicCredentials(token68: string): BasicCredentials | undefined {
  if (token68 === "" || !BASE64.test(token68)) return undefined;
  const bytes = Buffer.from(token68, "base64");
  if (bytes.toString("base64") !== token68) return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * The credentials form-decoded, as RFC 6749 §2.3.1 asks clients to encode them before base64;
 * `undefined` when they are not valid form encoding (a lone `%`). Many servers (and the MSX
 * guide) use them raw instead: a server that accepts both tries the raw ones first.
 */
export function formDecodedCredentials(raw: BasicCredentials): BasicCredentials | undefined {
  try {
    return {
      id: decodeURIComponent(raw.id.replaceAll("+", " ")),
      secret: decodeURIComponent(raw.secret.replaceAll("+", " ")),
    };
  } catch {
    return undefined;
  }
}
