import { PassgrantError } from "../errors.js";
import { redact } from "../redact.js";
import { AbortedError } from "./aborted-error.js";
import { NetworkError, type RequestTarget } from "./errors.js";
import { TimeoutError } from "./timeout-error.js";
import { TlsError } from "./tls-error.js";

/** What {@link mapFetchError} needs to know about the failed request. */
export interface FetchFailureContext extends RequestTarget {
  timeoutMs: number;
  /** True when passgrant's own timeout fired (as opposed to the caller's signal). */
  timedOut: boolean;
  /** True when the caller's own AbortSignal fired. */
  callerAborted: boolean;
}

/** Certificate and handshake failures reported by Node's TLS layer and OpenSSL. */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_TLS_HANDSHAKE_TIMEOUT",
]);

/**
 * OpenSSL's reactions to a TLS ClientHello answered in plain text (most often a plain-HTTP
 * server's "HTTP/1.1 400" read as a TLS record header): the port does not speak TLS.
 */
const NOT_TLS_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

const NOT_TLS_HINT =
  "The server on that port is not speaking TLS (most likely plain HTTP): use http:// if the " +
  "server really serves plain HTTP on this machine, or check the port of its https:// endpoint.";

/**
 * undici's "bad port": the Fetch standard's port blocking (https://fetch.spec.whatwg.org/#port-blocking)
 * refuses ports of other protocols (1, 6000 for X11, 6665-6669 for IRC...), whatever the server.
 */
const BAD_PORT_HINT =
  "fetch refuses it for safety: it is on the Fetch standard's list of blocked ports " +
  "(https://fetch.spec.whatwg.org/#port-blocking), used by other protocols. Run the server on " +
  "another port (8080, 8443...) and point the URL at it.";

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: "Nothing is listening there: check the host and port, and that the server runs.",
  ENOTFOUND: "The host name does not resolve: check the URL for typos and your DNS or VPN.",
  EAI_AGAIN: "DNS lookup failed temporarily: check your network, DNS or VPN.",
  ECONNRESET: "The server or a proxy closed the connection: check proxy settings and server logs.",
  EHOSTUNREACH: "The host is unreachable: check your network, VPN or firewall.",
  ENETUNREACH: "The network is unreachable (or a test blocked outbound connections).",
  UND_ERR_SOCKET: "The connection closed unexpectedly: check the server and any proxy in between.",
};

/**
 * Turns whatever `fetch` threw into passgrant's hierarchy. Real undici throws
 * `TypeError('fetch failed', { cause })` with the system error in `cause`; nock throws its own
 * errors or the object given to `replyWithError`; aborts arrive as DOMExceptions. Messages and
 * causes are redacted: nock's "No match" message, for one, prints the request's headers and body.
 */
export function mapFetchError(error: unknown, context: FetchFailureContext): PassgrantError {
  if (error instanceof PassgrantError) return error;
  const target: RequestTarget = { method: context.method, url: context.url };
  const cause = sanitizeCause(error);
  if (context.timedOut) {
    return new TimeoutError({ ...target, timeoutMs: context.timeoutMs }, { cause });
  }
  if (context.callerAborted || isAbort(error)) return new AbortedError(target, { cause });

  const root = findCode(error);
  const code = root?.code;
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return new TimeoutError({ ...target, timeoutMs: context.timeoutMs }, { cause });
  }
  const reason = redact(root?.message || describe(error));
  if (code && NOT_TLS_CODES.has(code)) {
    // OpenSSL's text ("ssl3_get_record:wrong version number") names a symptom; a CA file or
    // turning verification off would not help, as no certificate was ever exchanged.
    return new TlsError(
      {
        ...target,
        reason: `the server did not answer in TLS (${code})`,
        causeCode: code,
        hint: NOT_TLS_HINT,
      },
      { cause },
    );
  }
  if (code && (TLS_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("CERT_"))) {
    return new TlsError({ ...target, reason: `${reason} (${code})`, causeCode: code }, { cause });
  }
  if (!code && reason === "bad port") {
    return new NetworkError(
      {
        ...target,
        reason: `port ${portOf(context.url)} is blocked ("bad port")`,
        hint: BAD_PORT_HINT,
      },
      { cause },
    );
  }
  const hint = proxyHint(reason) ?? (code ? NETWORK_HINTS[code] : undefined);
  return new NetworkError(
    {
      ...target,
      reason: code && !reason.includes(code) ? `${reason} (${code})` : reason,
      ...(code ? { causeCode: code } : {}),
      ...(hint ? { hint } : {}),
    },
    { cause },
  );
}

/** undici reports a refused CONNECT as "Proxy response (407) !== 200 when HTTP Tunneling". */
function proxyHint(reason: string): string | undefined {
  const status = /Proxy response \((\d{3})\)/.exec(reason)?.[1];
  if (status === undefined) return undefined;
  return status === "407"
    ? "The proxy asks for credentials: put them in its URL (HTTPS_PROXY=http://user:password@proxy:port), or list this host in NO_PROXY."
    : `The proxy refused to open a tunnel (HTTP ${status}): check HTTPS_PROXY, and NO_PROXY for hosts to reach directly.`;
}

/** The port of a redacted URL, for messages (the scheme's default when none is written). */
function portOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  } catch {
    return "(unknown)";
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

interface CodedError {
  code?: string;
  message?: string;
}

/** The deepest error in the `cause` chain that carries a string `code`, else the deepest one. */
function findCode(error: unknown): CodedError | undefined {
  let current: unknown = error;
  let found: CodedError | undefined;
  let last: CodedError | undefined;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    const entry: CodedError = {
      ...(typeof candidate.code === "string" ? { code: candidate.code } : {}),
      ...(typeof candidate.message === "string" ? { message: candidate.message } : {}),
    };
    if (entry.code) found = entry;
    if (entry.message && entry.message !== "fetch failed" && entry.message !== "Failed to fetch") {
      last = entry;
    }
    current = candidate.cause;
  }
  if (found && !found.message)
    return { ...found, ...(last?.message ? { message: last.message } : {}) };
  return found ?? last;
}

function describe(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return "unknown error";
}

/**
 * A copy of the cause chain safe to keep on an error: name, code and redacted message only.
 * The originals may hold request headers and bodies (nock) or sockets (undici).
 */
export function sanitizeCause(error: unknown, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 4) return undefined;
  if (typeof error !== "object") return new Error(redact(String(error)));
  const source = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const inner = sanitizeCause(source.cause, depth + 1);
  const copy = new Error(
    redact(typeof source.message === "string" ? source.message : "unknown error"),
    inner ? { cause: inner } : undefined,
  );
  if (typeof source.name === "string") copy.name = source.name;
  if (typeof source.code === "string" || typeof source.code === "number") {
    Object.assign(copy, { code: source.code });
  }
  return copy;
}
