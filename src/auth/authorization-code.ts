import { ConfigError, PassgrantError } from "../errors.js";
import { nodeCrypto } from "../lazy-builtins.js";
import { OAuthError } from "./oauth-error.js";

/** RFC 6749 §4.1.3: the grant type of the authorization code's token request. */
export const AUTHORIZATION_CODE_GRANT_TYPE = "authorization_code";

/** How long passgrant waits for the browser by default: a sign-in with MFA takes a while. */
export const DEFAULT_AUTHORIZATION_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_REDIRECT_PATH = "/callback";
/** setTimeout's largest delay. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The grant's options, checked (every problem at once), with their defaults filled in. */
export function checkAuthorizationCodeGrant(
  grant: AuthorizationCodeGrant,
): AuthorizationCodeGrant &
  Required<Pick<AuthorizationCodeGrant, "timeoutMs" | "port" | "redirectPath">> {
  const problems: string[] = [];
  const timeoutMs = grant.timeoutMs ?? DEFAULT_AUTHORIZATION_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    problems.push(
      `grant.timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(grant.timeoutMs)}.`,
    );
  }
  const port = grant.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(
      `grant.port must be 0 (any free port) or a port number, got ${String(grant.port)}.`,
    );
  }
  const redirectPath = grant.redirectPath ?? DEFAULT_REDIRECT_PATH;
  if (
    typeof redirectPath !== "string" ||
    !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(redirectPath)
  ) {
    problems.push(
      `grant.redirectPath must be a URL path such as "/callback" (no query or fragment), got ${JSON.stringify(grant.redirectPath)}.`,
    );
  }
  for (const [name, value] of Object.entries(grant.parameters ?? {})) {
    if ((RESERVED_PARAMETERS as readonly string[]).includes(name)) {
      problems.push(
        `grant.parameters.${name} is set by passgrant itself; ${name === "scope" ? "use `scope`" : "remove it"}.`,
      );
    } else if (typeof value !== "string") {
      problems.push(`grant.parameters.${name} must be a string.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...grant, timeoutMs, port, redirectPath };
}

/** The browser sign-in needs the authorization endpoint: configured or from metadata. */
export function missingAuthorizationEndpoint(): ConfigError {
  return new ConfigError(
    "The authorization_code grant needs the authorization endpoint: set `issuer` (its metadata names it) or `authorizationUrl`.",
  );
}

/** What the user must do to sign in (RFC 8252 §7.3), for a prompt or a browser launcher. */
export interface AuthorizationPrompt {
  /** The authorization request (RFC 6749 §4.1.1) to open in the user's browser. */
  authorizationUrl: string;
  /** Where the browser comes back: `http://127.0.0.1:PORT/callback`, listening now. */
  redirectUri: string;
  /** Epoch milliseconds when passgrant stops listening (`timeoutMs` after it started). */
  expiresAt: number;
}

/**
 * The authorization code grant with PKCE on a loopback redirect (RFC 6749 §4.1, RFC 7636,
 * RFC 8252 §7.3), for a person at this machine, MFA included: the user signs in in a browser at
 * the URL `onAuthorizationUrl` is given, and the browser comes back to
 * `http://127.0.0.1:PORT/callback`, where passgrant listens until the answer arrives.
 * Register that redirect URI (any port) for a native/public client on the server.
 */
export interface AuthorizationCodeGrant {
  type: "authorization_code";
  /**
   * Opens `authorizationUrl` in the user's browser, or shows it (also sent as an
   * `authorization-url` event). Called once per sign-in, when the listener is ready.
   */
  onAuthorizationUrl?: (prompt: AuthorizationPrompt) => void;
  /** Stops waiting for the browser (e.g. on Ctrl-C): closes the listener, rejects with `AbortedError`. */
  signal?: AbortSignal;
  /**
   * How long to wait for the browser to come back; then `AuthorizationCallbackError`
   * (`reason: "timeout"`).
   * @default 300000 (5 minutes)
   */
  timeoutMs?: number;
  /**
   * The loopback port to listen on. Any free one by default (RFC 8252 §7.3); set one only for a
   * server that cannot accept any port on a loopback redirect URI.
   * @default 0
   */
  port?: number;
  /**
   * The redirect URI's path.
   * @default "/callback"
   */
  redirectPath?: string;
  /** More authorization request parameters (`prompt`, `login_hint`, `resource`, ...). */
  parameters?: Record<string, string>;
}

/** Why an answer on the loopback redirect could not be used. */
export type AuthorizationFailure =
  /** The `state` did not match the request passgrant made (RFC 6749 §10.12). */
  | "state_mismatch"
  /** The `iss` did not name the configured issuer (RFC 9207 §2.4, mix-up defence). */
  | "issuer_mismatch"
  /** Neither `code` nor `error`, or a malformed one. */
  | "invalid_callback"
  /** No answer arrived within `timeoutMs`. */
  | "timeout";

/** The browser sign-in (authorization code grant) ended without a usable answer. */
export class AuthorizationCallbackError extends PassgrantError {
  readonly reason: AuthorizationFailure;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint: string;

  constructor(reason: AuthorizationFailure, problem: string, hint: string) {
    super("ERR_AUTHORIZATION", `${problem} ${hint}`);
    this.reason = reason;
    this.hint = hint;
  }
}

/** RFC 7636 §4.1 and §4.2: a `code_verifier` and its S256 `code_challenge`. */
export interface Pkce {
  verifier: string;
  challenge: string;
}

/**
 * 32 random octets, base64url: a 43-character verifier from the unreserved alphabet, with the
 * 256 bits of entropy RFC 7636 §7.1 asks for. The challenge is BASE64URL(SHA256(verifier)) (§4.2);
 * `plain` is never used (§4.2: S256 is mandatory to implement on servers).
 */
export function createPkce(): Pkce {
  const verifier = nodeCrypto().randomBytes(32).toString("base64url");
  return { verifier, challenge: s256(verifier) };
}

export function s256(verifier: string): string {
  return nodeCrypto().createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** An unguessable `state` bound to this sign-in (RFC 6749 §10.12). */
export function createState(): string {
  return nodeCrypto().randomBytes(32).toString("base64url");
}

/** The request parameters passgrant sets itself; `parameters` may not replace them. */
const RESERVED_PARAMETERS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
] as const;

/**
 * The authorization request (RFC 6749 §4.1.1 with RFC 7636 §4.3). The endpoint's own query is
 * kept (§3.1); `parameters` adds others (`prompt`, `login_hint`, `resource`...).
 */
export function authorizationRequestUrl(init: {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope?: string | readonly string[] | undefined;
  state: string;
  codeChallenge: string;
  parameters?: Readonly<Record<string, string>> | undefined;
}): string {
  const url = new URL(init.authorizationEndpoint);
  url.hash = ""; // §3.1: the endpoint URI MUST NOT include a fragment.
  const extra = init.parameters ?? {}; // checked by checkAuthorizationCodeGrant
  const scope = typeof init.scope === "string" ? init.scope : init.scope?.join(" ");
  const parameters: Record<string, string | undefined> = {
    response_type: "code",
    client_id: init.clientId,
    redirect_uri: init.redirectUri,
    scope: scope || undefined,
    state: init.state,
    code_challenge: init.codeChallenge,
    code_challenge_method: "S256",
    ...extra,
  };
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.href;
}

/** What the callback must carry to be this sign-in's answer. */
export interface ExpectedCallback {
  state: string;
  /** The configured issuer, when known: an `iss` parameter must name it (RFC 9207 §2.4). */
  issuer?: string | undefined;
  /** The server's metadata says it always sends `iss` (RFC 9207 §3): then it is required. */
  issRequired?: boolean | undefined;
}

/** Server text quoted in a message: one line, bounded. The CLI makes it terminal-safe too. */
const MAX_QUOTED = 200;

/**
 * Reads the redirect's query (RFC 6749 §4.1.2 and §4.1.2.1): the code, or the error the
 * authorization server sent back, once `state` (and `iss` when known) prove the answer is to
 * this request. An error whose `state` does not match is not trusted either: anyone can send one.
 */
export function readCallback(
  query: URLSearchParams,
  expected: ExpectedCallback,
): { code: string } | AuthorizationCallbackError | OAuthError {
  const state = query.get("state");
  if (state === null || !sameSecret(state, expected.state)) {
    return new AuthorizationCallbackError(
      "state_mismatch",
      state === null
        ? "The browser came back without the `state` passgrant sent: the answer cannot be matched to this sign-in (RFC 6749 §10.12)."
        : "The browser came back with a `state` that is not the one passgrant sent: the answer belongs to another sign-in, or was forged (RFC 6749 §10.12).",
      "Sign in again from the start, in the window passgrant opens.",
    );
  }
  const iss = query.get("iss");
  if (expected.issuer !== undefined && (iss !== null || expected.issRequired)) {
    if (iss !== expected.issuer) {
      return new AuthorizationCallbackError(
        "issuer_mismatch",
        iss === null
          ? `The answer carries no \`iss\`, though the metadata of ${JSON.stringify(expected.issuer)} says it always sends one (RFC 9207 §2.4: it may be another server's answer).`
          : `The answer names issuer ${JSON.stringify(quoted(iss))}, not ${JSON.stringify(expected.issuer)} (RFC 9207 §2.4: another server's answer must not be used).`,
        "Sign in again; if it repeats, check `issuer`.",
      );
    }
  }
  const error = query.get("error");
  if (error !== null) {
    const description = query.get("error_description");
    return new OAuthError({
      error: quoted(error),
      ...(description ? { errorDescription: quoted(description) } : {}),
      status: 0,
      endpoint: "authorization",
      hint: callbackErrorHint(error),
    });
  }
  const code = query.get("code");
  // RFC 6749 Appendix A.11: code is VSCHAR (visible ASCII).
  if (code === null || !/^[\x20-\x7e]{1,4096}$/.test(code)) {
    return new AuthorizationCallbackError(
      "invalid_callback",
      "The browser came back without an authorization code.",
      "Sign in again; if it repeats, the server's redirect is not an RFC 6749 §4.1.2 answer.",
    );
  }
  return { code };
}

/** RFC 6749 §4.1.2.1's error codes, said as what to do. */
function callbackErrorHint(error: string): string {
  switch (error) {
    case "access_denied":
      return "The sign-in was denied or cancelled in the browser: run again and approve it";
    case "invalid_scope":
      return "Check the requested `scope` against the scopes the client may request";
    case "unauthorized_client":
    case "unsupported_response_type":
      return "The client is not allowed to use the authorization code grant: enable it (and the redirect URI http://127.0.0.1/callback, any port) for the client on the server";
    case "temporarily_unavailable":
    case "server_error":
      return "The authorization server failed: try again later";
    default:
      return "Check the client's registration on the server (redirect URI http://127.0.0.1/callback, the authorization code grant, PKCE)";
  }
}

function quoted(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ");
  return line.length > MAX_QUOTED ? `${line.slice(0, MAX_QUOTED)}…` : line;
}

/** Compares a secret in constant time (hashes first, so lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => nodeCrypto().createHash("sha256").update(text).digest();
  return nodeCrypto().timingSafeEqual(digest(a), digest(b));
}
