import type { PassgrantErrorCode } from "../errors.js";

/**
 * The CLI's exit codes, part of its interface for scripts (documented in the README).
 * 130 and 143 follow the shell convention 128 + signal number.
 */
export const ExitCode = {
  ok: 0,
  /** A bug or an unexpected failure: rerun with --verbose for the stack. */
  unexpected: 1,
  /** Bad arguments or configuration: the message says what to fix. */
  usage: 2,
  /**
   * The token endpoint refused the credentials, answered an HTTP error (wrong URL, redirect, a
   * proxy's 401) or something unusable.
   */
  auth: 3,
  /**
   * An API call answered an HTTP error, a response passgrant refuses (too large), or a success
   * that is not what the API promises (not JSON, wrong shape, a listing that makes no progress).
   */
  api: 4,
  /** The network failed: connection, DNS, TLS or a timeout. */
  network: 5,
  /** The on-disk token cache could not be used (unwritable, unsafe, not passgrant's, locked): CacheError. */
  cache: 6,
  /** Interrupted by SIGINT (Ctrl-C). */
  interrupted: 130,
  /** Terminated by SIGTERM. */
  terminated: 143,
} as const;

export type Signal = "SIGINT" | "SIGTERM";

const byCode: Record<PassgrantErrorCode, number> = {
  ERR_CONFIG: ExitCode.usage,
  ERR_INSECURE_TRANSPORT: ExitCode.usage,
  ERR_OAUTH: ExitCode.auth,
  ERR_TOKEN_RESPONSE: ExitCode.auth,
  ERR_HTTP: ExitCode.api,
  ERR_RESPONSE_TOO_LARGE: ExitCode.api,
  ERR_NETWORK: ExitCode.network,
  ERR_TLS: ExitCode.network,
  ERR_TIMEOUT: ExitCode.network,
  ERR_ABORTED: ExitCode.interrupted,
  ERR_CACHE: ExitCode.cache,
  ERR_UNEXPECTED_RESPONSE: ExitCode.api,
  // A script's mistake against the spec (a session call the spec forbids): a usage error.
  ERR_UNKNOWN_OPERATION: ExitCode.usage,
  ERR_INVALID_REQUEST: ExitCode.usage,
  ERR_DISCOVERY: ExitCode.auth,
  // The browser sign-in came back unusable (state mismatch, no code) or never came back.
  ERR_AUTHORIZATION: ExitCode.auth,
  // Silent acquisition (a cached token or its refresh token) found nothing: sign in again.
  ERR_SIGN_IN_REQUIRED: ExitCode.auth,
};

export function exitCodeForSignal(signal: Signal): number {
  return signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

/** The exit code for an error; a signal that interrupted the run takes precedence. */
export function exitCodeFor(error: unknown, interruptedBy?: Signal): number {
  if (interruptedBy) return exitCodeForSignal(interruptedBy);
  const code = (error as { code?: unknown } | undefined)?.code;
  // An HTTP error from the token endpoint that is not an OAuth error (a 404 for a wrong URL, a
  // redirect, a proxy's 401) is the token side's failure: 3, where 4 is for API calls.
  if (code === "ERR_HTTP" && (error as { option?: unknown }).option === "tokenUrl") {
    return ExitCode.auth;
  }
  if (typeof code === "string" && Object.hasOwn(byCode, code)) {
    return byCode[code as PassgrantErrorCode];
  }
  return ExitCode.unexpected;
}
