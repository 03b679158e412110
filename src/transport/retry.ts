import { ConfigError, type PassgrantError } from "../errors.js";
import { NetworkError } from "./errors.js";

/** When and how the transport sends a request again. */
export interface RetryOptions {
  /**
   * How many times a request may be sent again after its first attempt; 0 never retries.
   * @default 2
   */
  limit?: number;
  /**
   * The ceiling of the first backoff wait, doubled for each further retry up to `maxDelayMs`.
   * Each wait is a random time between 0 and that ceiling ("full jitter"), so clients that failed
   * together do not come back together.
   * @default 300
   */
  baseDelayMs?: number;
  /**
   * The highest ceiling of a computed backoff wait.
   * @default 5000
   */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` (RFC 9110 §10.2.3) passgrant honours by waiting. A server asking for
   * longer, or for longer than the request's `timeoutMs` has left, gets no wait: the request fails
   * at once with an `HttpError` whose `retryAfter` says when to try again.
   * @default 30000
   */
  maxRetryAfterMs?: number;
}

/** The retry policy with every default applied. */
export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  limit: 2,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
});

/** What the transport reports through `onRetry` before it waits and sends a request again. */
export interface RetryEvent {
  method: string;
  /** Redacted. */
  url: string;
  /** 1 for the first retry. */
  retry: number;
  /** The configured `retry.limit`. */
  limit: number;
  /** How long the transport waits before sending again. */
  delayMs: number;
  /** True when the wait is the server's `Retry-After`, false when it is computed backoff. */
  retryAfter: boolean;
  /** The status that is retried (429, 502, 503, 504), when there was a response. */
  status?: number;
  /** The connection failure that is retried, when there was no response. */
  error?: PassgrantError;
}

/** Validates `retry` and applies the defaults; `false` is `{ limit: 0 }`. */
export function resolveRetry(option: RetryOptions | false | undefined): RetryPolicy {
  if (option === false) return { ...DEFAULT_RETRY, limit: 0 };
  const policy = { ...DEFAULT_RETRY, ...dropUndefinedFields(option ?? {}) };
  const problems: string[] = [];
  const check = (name: keyof RetryPolicy, min: number, max: number) => {
    const value = policy[name];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(
        `retry.${name} must be a whole number from ${min} to ${max}, got ${String(value)}.`,
      );
    }
  };
  check("limit", 0, 10);
  check("baseDelayMs", 0, 60_000);
  check("maxDelayMs", 0, 600_000);
  check("maxRetryAfterMs", 0, 3_600_000);
  if (problems.length > 0) throw new ConfigError(problems);
  return policy;
}

function dropUndefinedFields(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2): a 5xx or a
 * dropped connection may have hidden a success, and sending them again is harmless.
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
]);

/**
 * Statuses that say "not now, try again" rather than "no": 429 Too Many Requests (RFC 6585 §4),
 * 502 Bad Gateway, 503 Service Unavailable and 504 Gateway Timeout (RFC 9110 §15.6).
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Connection failures after which any request may be sent again, POST and PATCH included,
 * because no byte of it reached a server:
 * - `ECONNREFUSED`: the TCP connection was refused, so nothing was written;
 * - `EAI_AGAIN`: a temporary DNS failure, so no connection was even opened.
 */
const NEVER_SENT = new Set(["ECONNREFUSED", "EAI_AGAIN"]);

/**
 * Failures before any response where the request may have reached the server and taken effect:
 * only idempotent requests are sent again after these.
 * - `ECONNRESET`, `EPIPE`: the connection was reset or closed while sending or waiting;
 * - `UND_ERR_SOCKET`: undici's "other side closed", the server closed the socket before the
 *   response headers (as one does with a keep-alive connection it just timed out).
 */
const NO_RESPONSE = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/** Whether a failure before any response may be retried for a request of this kind. */
export function isRetryableFailure(error: PassgrantError, idempotent: boolean): boolean {
  if (!(error instanceof NetworkError) || error.causeCode === undefined) return false;
  return NEVER_SENT.has(error.causeCode) || (idempotent && NO_RESPONSE.has(error.causeCode));
}

/**
 * The wait before retrying after `failure` (retry number `retries + 1`), or undefined when it is
 * not retried: retries used up, a failure after which the request may have taken effect (for a
 * request that is not idempotent), or no time left for the wait.
 */
export function retryDelayAfterFailure(
  failure: PassgrantError,
  attempt: { retries: number; idempotent: boolean; timeLeftMs: number },
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  if (attempt.retries >= policy.limit || !isRetryableFailure(failure, attempt.idempotent)) {
    return undefined;
  }
  const delayMs = backoffDelay(attempt.retries + 1, policy, random);
  return delayMs < attempt.timeLeftMs ? delayMs : undefined;
}

/**
 * A `Retry-After` value (RFC 9110 §10.2.3), as milliseconds from `now`: delay-seconds, or an
 * HTTP-date (a date in the past is 0). Undefined when absent or not one of these forms.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate and the two obsolete forms all start with a day name (RFC 9110 §5.6.7).
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The computed wait before retry number `retry` (1-based): full jitter under a doubling ceiling. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
