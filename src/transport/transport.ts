import { ConfigError, type PassgrantError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { DEFAULT_MAX_RESPONSE_BYTES, limitBody } from "./body-limit.js";
import {
  type BodyLimit,
  type DispatchOnly,
  releasedOnComplete,
  startDeadline,
} from "./deadline.js";
import { createDispatchers, type ProxySetting } from "./dispatcher.js";
import { InsecureTransportError, TimeoutError } from "./errors.js";
import { isLoopbackHost } from "./loopback.js";
import { mapFetchError } from "./map-fetch-error.js";
import { ResponseTooLargeError } from "./response-too-large-error.js";
import { resolveTlsOptions } from "./tls-options.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  /**
   * Per request, headers and body included: a timeout while the body is still arriving makes
   * reading it fail with the same `TimeoutError`. Default 30 000 ms.
   */
  timeoutMs?: number;
  /**
   * The most passgrant reads of one response body, in bytes, counted after decompression (a
   * gzip body of a few KiB can inflate to GiBs). Reading past it fails with a
   * `ResponseTooLargeError` and closes the connection; what was read is dropped. Applies to every
   * response this transport returns, whoever reads it (openapi-fetch's `response.json()`
   * included). `Infinity` turns the cap off (not advised: a broken or hostile server can then
   * exhaust memory).
   * @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number;
  /** A PEM file of CA certificates, added to (not replacing) Node's bundled roots. */
  caFile?: string;
  /** PEM text of CA certificates, added like `caFile`. */
  ca?: string | Buffer;
  /**
   * Turns certificate verification off for passgrant's own requests (never process-wide).
   * An explicit last resort: prints a loud warning once (to stderr, or to `onWarning`).
   */
  insecureTls?: boolean;
  /** Credentials over plain http:// to a host other than loopback are refused unless true. */
  allowInsecureHttp?: boolean;
  /** Default `"env"`: HTTPS_PROXY/HTTP_PROXY/NO_PROXY. `"none"`, or a proxy URL. */
  proxy?: ProxySetting;
  onWarning?: (message: string) => void;
  /** Called after each response's headers arrive (for `--verbose`); the URL is redacted. */
  onResponse?: (info: { method: string; url: string; status: number; durationMs: number }) => void;
  /** Called when a request fails before a response, with the mapped error. */
  onRequestError?: (info: {
    method: string;
    url: string;
    error: PassgrantError;
    durationMs: number;
  }) => void;
}

/** One fetch, shared by the token provider and the API client, with passgrant's settings. */
export interface Transport {
  fetch: (request: Request) => Promise<Response>;
  /** Closes passgrant's connection pools (keep-alive sockets). */
  close(): Promise<void>;
}

export const INSECURE_TLS_WARNING =
  "WARNING: TLS certificate verification is OFF for passgrant's requests (insecureTls). " +
  "Anyone on the network path can impersonate the server and read your credentials. " +
  "Use caFile (MSX_CA_FILE) with your lab CA's PEM instead.";

let insecureWarnedToStderr = false;

/**
 * Creates passgrant's transport. `fetch` calls `globalThis.fetch` at call time (so nock and other
 * test doubles that patch it see every request) with passgrant's own undici dispatcher attached,
 * and maps every failure into the error hierarchy (`TimeoutError`, `TlsError`, `NetworkError`...).
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(
      `timeoutMs must be a positive number of milliseconds, got ${String(options.timeoutMs)}.`,
    );
  }
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (
    maxResponseBytes !== Number.POSITIVE_INFINITY &&
    !(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes > 0)
  ) {
    throw new ConfigError(
      `maxResponseBytes must be a positive whole number of bytes (or Infinity), got ${String(options.maxResponseBytes)}.`,
    );
  }
  const tls = resolveTlsOptions(options);
  const dispatchers = createDispatchers({
    tls,
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  if (options.insecureTls === true) warnInsecure(options.onWarning);

  async function transportFetch(request: Request): Promise<Response> {
    const started = performance.now();
    const url = new URL(request.url);
    const method = request.method;
    // Redacted only when a hook or an error needs it: most requests need neither.
    const shownUrl = (): string => redactUrl(url);
    const fail = (error: PassgrantError): PassgrantError => {
      options.onRequestError?.({ method, url: shownUrl(), error, durationMs: elapsed(started) });
      return error;
    };
    if (
      carriesCredentials(request) &&
      isInsecureOrigin(url) &&
      options.allowInsecureHttp !== true
    ) {
      throw fail(new InsecureTransportError(shownUrl()));
    }
    const deadline = startDeadline(
      timeoutMs,
      request.signal,
      () => new TimeoutError({ method, url: shownUrl(), timeoutMs }),
    );
    const limit: BodyLimit | undefined =
      maxResponseBytes === Number.POSITIVE_INFINITY
        ? undefined
        : {
            maxBytes: maxResponseBytes,
            exceeded: () =>
              new ResponseTooLargeError({ method, url: shownUrl(), maxBytes: maxResponseBytes }),
          };
    try {
      const dispatcher = releasedOnComplete(
        await dispatchers.forUrl(url),
        deadline,
        request.redirect,
        limit,
      );
      const init: Omit<RequestInit, "dispatcher"> & { dispatcher: DispatchOnly } = {
        signal: deadline.signal,
        dispatcher,
      };
      // Late-bound on purpose: see the function comment.
      let response = await globalThis.fetch(request, init as RequestInit);
      if (response.body === null) deadline.release();
      else if (limit && !dispatcher.countsBody) {
        response = limitBody(response, limit.maxBytes, limit.exceeded);
      }
      options.onResponse?.({
        method,
        url: shownUrl(),
        status: response.status,
        durationMs: elapsed(started),
      });
      return response;
    } catch (error) {
      deadline.release();
      throw fail(
        mapFetchError(error, {
          method,
          url: shownUrl(),
          timeoutMs,
          timedOut: deadline.timedOut,
          callerAborted: request.signal.aborted,
        }),
      );
    }
  }

  return { fetch: transportFetch, close: () => dispatchers.close() };
}

/** plain http:// to anything but this machine. */
export function isInsecureOrigin(url: URL): boolean {
  return url.protocol === "http:" && !isLoopbackHost(url.hostname);
}

function carriesCredentials(request: Request): boolean {
  return request.headers.has("authorization") || request.headers.has("cookie");
}

function warnInsecure(onWarning: ((message: string) => void) | undefined): void {
  if (onWarning) {
    onWarning(INSECURE_TLS_WARNING);
    return;
  }
  if (insecureWarnedToStderr) return;
  insecureWarnedToStderr = true;
  process.stderr.write(`\n${"!".repeat(78)}\n${INSECURE_TLS_WARNING}\n${"!".repeat(78)}\n\n`);
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
