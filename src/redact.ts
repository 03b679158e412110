/**
 * Redaction for every log line and error message passgrant writes.
 *
 * Two layers: the caller's known secrets (password, client secret, tokens) are masked wherever
 * they appear, in plain, URL-encoded or form-encoded form; and patterns catch credentials nobody
 * told us about (Authorization header values, `password=` style pairs, JSON members with secret
 * names, JWT-looking strings, userinfo in URLs). Over-masking is fine; a leak is not.
 */

export const REDACTED = "[REDACTED]";

/** Parameter and member names whose values are secrets (compared case-insensitively). */
const SECRET_NAMES = [
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "password",
  "passwd",
  "secret",
  "token",
  "api_key",
  "apikey",
  "assertion",
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "accessToken",
  "refreshToken",
  "clientSecret",
];
const SECRET_NAME_SET = new Set(SECRET_NAMES.map((name) => name.toLowerCase()));
const NAMES = SECRET_NAMES.map((name) => name.replace(/[-]/g, "\\-")).join("|");

/**
 * `Bearer abc`, `Basic abc=` (RFC 6750 §2.1, RFC 7617 §2), in headers or prose. A credential is
 * told from an English word that follows the scheme name ("HTTP Basic with the id ...") by its
 * shape: 16 characters or more, or any digit or `+/=_.~-`. Short letter-only credentials are
 * still masked wherever they are known secrets (the first layer).
 */
/** An `Authorization:` header line: whatever follows the scheme is a credential, whatever its shape. */
const AUTH_HEADER =
  /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(Bearer|Basic)\s+)?[A-Za-z0-9._~+/=%-]+/gi;
const AUTH_SCHEME =
  /\b(Bearer|Basic)(?:\s+|%20|\+)(?=[A-Za-z0-9._~+/=%-]{16,}|[A-Za-z]*[0-9._~+/=%-])[A-Za-z0-9._~+/=%-]+/gi;
/** `password=abc`, `access_token=abc` in query strings, form bodies and prose. */
const PAIR = new RegExp(`(^|[?&;,\\s"'{(])(${NAMES})=([^&\\s"',;)}]*)`, "gi");
/** `"password": "abc"` and `'password': 'abc'` in JSON or inspected objects; a value cut off
 * by a truncated body is masked to its end. */
const JSON_MEMBER = new RegExp(
  `(["']?)(${NAMES})\\1(\\s*:\\s*)(["'])((?:\\\\.|(?!\\4).)*)(?:\\4|$)`,
  "gi",
);
/** A JWT (RFC 7519 §3): base64url header starting `eyJ` (`{"`), payload, optional signature. */
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
/** `scheme://user:pass@host`. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

/** Secrets shorter than this are not masked by value (they would shred unrelated text). */
const MIN_SECRET_LENGTH = 4;

/**
 * Masks credentials in `text`: every value in `secrets` (and its encoded forms), plus anything
 * that looks like a credential whether or not it was listed.
 */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = String(text);
  for (const secret of expandSecrets(secrets)) {
    // Everywhere, prose included: a secret that is also an English word (a test secret
    // `wrong`) turns "or wrong client secret" into "or [REDACTED] client secret", but a short
    // password echoed in a server's sentence ("user bob password hunter rejected") must not show.
    out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(AUTH_HEADER, (_match, lead: string, scheme?: string) =>
      scheme ? `${lead}${scheme} ${REDACTED}` : `${lead}${REDACTED}`,
    )
    .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JSON_MEMBER, (_m, q: string, name: string, sep: string, vq: string) => {
      return `${q}${name}${q}${sep}${vq}${REDACTED}${vq}`; // closes a cut-off value too
    })
    .replace(PAIR, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`);
}

/**
 * A URL fit for logs: userinfo dropped, values of sensitive query parameters masked. Anything
 * that does not parse as a URL is passed through {@link redact} instead.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redact(String(url));
  }
  parsed.username = "";
  parsed.password = "";
  const query = [...parsed.searchParams].map(([name, value]) => {
    const shown = SECRET_NAME_SET.has(name.toLowerCase()) ? REDACTED : redact(value);
    return `${encodeURIComponent(name)}=${encodeURIComponent(shown).replace(/%5B|%5D/g, (c) => (c === "%5B" ? "[" : "]"))}`;
  });
  parsed.search = "";
  const base = parsed.href.replace(/\?$/, "");
  const hashless = base.split("#")[0] ?? base;
  return query.length > 0 ? `${hashless}?${query.join("&")}` : hashless;
}

/** Each secret as it could appear on the wire: raw, percent-encoded, form-encoded. */
function* expandSecrets(secrets: Iterable<string | undefined>): Generator<string> {
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
    for (const form of forms) {
      if (!seen.has(form)) {
        seen.add(form);
      }
    }
  }
  // Longest first, so a secret containing another is masked whole.
  yield* [...seen].sort((a, b) => b.length - a.length);
}

/** Where the secrets known for an object (a request, a response) come from, read when needed. */
export type SecretSource = () => Iterable<string | undefined>;

const secretSources = new WeakMap<object, SecretSource[]>();

/**
 * Records that `carrier` (a `Request` or `Response` of an API call) was made with the secrets
 * `source` yields (the session's tokens, password, client secret), so that errors built later
 * from it mask them by value: an opaque token echoed by a server has no shape to catch it by.
 */
export function rememberSecrets(carrier: object, source: SecretSource): void {
  const sources = secretSources.get(carrier);
  if (sources === undefined) secretSources.set(carrier, [source]);
  else if (!sources.includes(source)) sources.push(source);
}

/** The secrets recorded for `carrier` with {@link rememberSecrets}; empty if none. */
export function knownSecretsOf(carrier: object | undefined): string[] {
  const sources = carrier === undefined ? undefined : secretSources.get(carrier);
  if (sources === undefined) return [];
  const out: string[] = [];
  for (const source of sources) {
    for (const secret of source()) if (typeof secret === "string" && secret) out.push(secret);
  }
  return out;
}
