import { ConfigError, type PassgrantError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { DEFAULT_MAX_RESPONSE_BYTES, limitBody } from "./body-limit.js";
import {
  type BodyLimit,
  type Deadline,
  type DispatchOnly,
  releasedOnComplete,
  startDeadline,
} from "./deadline.js";
import { dispatchFetch, isNodeFetch } from "./dispatch-fetch.js";
import { createDispatchers, type ProxySetting } from "./dispatcher.js";
import { type HttpError, InsecureTransportError } from "./errors.js";
import { attachFormPost, postWithFetch } from "./form-post.js";
import { exposesCredentials } from "./loopback.js";
import { mapFetchError } from "./map-fetch-error.js";
import { nodeHttpFormPost } from "./node-http-form-post.js";
import { httpErrorFromResponse } from "./response-body.js";
import { ResponseTooLargeError } from "./response-too-large-error.js";
import {
  backoffDelay,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
  RETRY_STATUSES,
  type RetryEvent,
  type RetryOptions,
  resolveRetry,
  retryDelayAfterFailure,
  type Sleep,
  sleep,
} from "./retry.js";
import { TimeoutError } from "./timeout-error.js";
import { resolveTlsOptions } from "./tls-options.js";
import type { TransportHooks } from "./transport-hooks.js";

export { isInsecureOrigin } from "./loopback.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface TransportOptions extends TransportHooks {
  /**
   * Per request, headers and body included, and retries with their waits (as ky's `timeout`): a
   * timeout while the body is still arriving makes reading it fail with the same `TimeoutError`.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Sending a request again when a platform says "not now". Idempotent requests (GET, HEAD, PUT,
   * DELETE, OPTIONS; RFC 9110 §9.2.2) are retried on 429, 502, 503 and 504, and on a connection
   * reset or closed before any response (ECONNRESET, EPIPE, undici's UND_ERR_SOCKET). Every
   * request, POST and PATCH included, is retried when it never left this machine: the connection
   * was refused (ECONNREFUSED) or DNS failed temporarily (EAI_AGAIN). A POST that got a 503 or
   * lost its connection is never sent again: it may have taken effect.
   *
   * Waits are exponential backoff with full jitter, or the server's `Retry-After` (seconds or
   * HTTP date) up to `maxRetryAfterMs`; a longer one fails at once with an `HttpError` carrying
   * `retryAfter`. Waits count against `timeoutMs` and end at once when the caller aborts. When
   * retries run out, the last response is returned as it is. `false` never retries.
   *
   * So that it can be resent, a request body is read into memory once before the first attempt
   * (a GET has none and costs nothing); pass `false` for a streamed upload that must not be.
   * @default { limit: 2, baseDelayMs: 300, maxDelayMs: 5000, maxRetryAfterMs: 30000 }
   */
  retry?: RetryOptions | false;
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
   * A PEM file with the TLS client certificate (a chain may follow it) presented to every server
   * that asks for one: the token endpoint for `clientAuth: "tls_client_auth"` or
   * `"self_signed_tls_client_auth"`, and the API, for certificate-bound tokens (RFC 8705). Its
   * key is `clientCertKeyFile`, or a private key in this same file. Read once, checked against
   * the key when the transport is made; never shown to a proxy.
   * @default undefined (no client certificate)
   */
  clientCertFile?: string;
  /**
   * PEM text of the client certificate, instead of `clientCertFile`.
   * @default undefined
   */
  clientCert?: string | Buffer;
  /**
   * The PEM file of the client certificate's private key (unencrypted PKCS#8, PKCS#1 or SEC1).
   * @default undefined (a private key in `clientCertFile` itself)
   */
  clientCertKeyFile?: string;
  /**
   * PEM text of the client certificate's private key, instead of `clientCertKeyFile`.
   * @default undefined
   */
  clientCertKey?: string | Buffer;
  /**
   * Turns certificate verification off for passgrant's own requests (never process-wide).
   * An explicit last resort: prints a loud warning once (to stderr, or to `onWarning`).
   */
  insecureTls?: boolean;
  /**
   * Credentials over plain http:// to a host other than loopback are refused unless true.
   * @default false
   */
  allowInsecureHttp?: boolean;
  /**
   * `"env"` honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY; `"none"` connects directly; or a proxy URL.
   * @default "env"
   */
  proxy?: ProxySetting;
  /**
   * Sends the form POSTs to the authorization server (token, device authorization, revocation
   * and introspection requests of a token provider given this transport's `fetch`) over
   * `node:http`/`node:https` instead of fetch, with the same guarantees (TLS settings, deadline,
   * body cap, retries, hooks, no redirect followed). A process that makes no other request then
   * never loads Node's fetch, about 45 ms of start-up and 8 MiB on Node 20: what a command
   * printing a token pays. A request a proxy applies to still goes through fetch. Test doubles
   * replacing `globalThis.fetch` do not see these requests (nock does: it intercepts both).
   * @default false
   */
  formsOverNodeHttp?: boolean;
  onWarning?: (message: string) => void;
}

/**
 * Seams for tests, not part of the documented API: the backoff's clock and randomness.
 * @internal
 */
export interface TransportInternals {
  sleep?: Sleep;
  random?: () => number;
}

/** One fetch, shared by the token provider and the API client, with passgrant's settings. */
export interface Transport {
  fetch: (request: Request) => Promise<Response>;
  /** Closes passgrant's connection pools (keep-alive sockets). */
  close(): Promise<void>;
}

export const INSECURE_TLS_WARNING =
  "WARNING: TLS certificate verification is OFF for passgrant's requests (`insecureTls`). " +
  "Anyone on the network path can impersonate the server and read your credentials. " +
  "Use `caFile` with your lab CA's PEM instead.";

let insecureWarnedToStderr = false;

/**
 * Creates passgrant's transport, which maps every failure into the error hierarchy
 * (`TimeoutError`, `TlsError`, `NetworkError`...). While `globalThis.fetch` is Node's own, a
 * request goes straight to the undici dispatcher fetch would use (dispatch-fetch.ts: the same
 * wire, about 100 µs less a request); once something replaced it (nock, msw, a stub), `fetch`
 * calls `globalThis.fetch` at call time, so the replacement sees every request, with passgrant's
 * dispatcher attached. A streamed request body with `retry: false` always goes through fetch.
 */
export function createTransport(
  options: TransportOptions = {},
  internals: TransportInternals = {},
): Transport {
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
  const retry = resolveRetry(options.retry);
  const sleepFor = internals.sleep ?? sleep;
  const random = internals.random ?? Math.random;
  const tls = resolveTlsOptions(options);
  const dispatchers = createDispatchers({
    tls,
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  if (options.insecureTls === true) warnInsecure(options.onWarning);
  const dispatcherFor = (url: URL) => dispatchers.forUrl(url);

  const limitFor = (method: string, shownUrl: () => string): BodyLimit | undefined =>
    maxResponseBytes === Number.POSITIVE_INFINITY
      ? undefined
      : {
          maxBytes: maxResponseBytes,
          exceeded: () =>
            new ResponseTooLargeError({ method, url: shownUrl(), maxBytes: maxResponseBytes }),
        };

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
      exposesCredentials(url, (name) => request.headers.has(name)) &&
      options.allowInsecureHttp !== true
    ) {
      throw fail(new InsecureTransportError(shownUrl()));
    }
    const limit = limitFor(method, shownUrl);
    const timeLeft = () => timeoutMs - (performance.now() - started);
    const idempotent = IDEMPOTENT_METHODS.has(method);
    // A sent body cannot be read again: keep its bytes when a retry may have to resend it. A
    // request without a body (every GET) costs nothing here.
    const replayBody =
      retry.limit > 0 && request.body !== null ? await request.arrayBuffer() : undefined;

    /** One attempt, within `budgetMs`: what is left of `timeoutMs`, which covers every attempt. */
    /** The current attempt's deadline, released by hand when its answer is dropped for a retry. */
    let current: Deadline | undefined;
    const attempt = async (budgetMs: number): Promise<Response> => {
      const attemptStarted = performance.now();
      const deadline = startDeadline(
        budgetMs,
        request.signal,
        () => new TimeoutError({ method, url: shownUrl(), timeoutMs }),
      );
      try {
        const response =
          (request.body === null || replayBody) && isNodeFetch(globalThis.fetch)
            ? await dispatchFetch(
                {
                  url,
                  method,
                  headers: request.headers,
                  body: replayBody,
                  redirect: request.redirect,
                },
                { dispatcherFor, deadline, limit },
              )
            : await viaFetch(deadline);
        if (response.body === null) deadline.release();
        options.onResponse?.({
          method,
          url: shownUrl(),
          status: response.status,
          durationMs: elapsed(attemptStarted),
        });
        current = deadline;
        return response;
      } catch (error) {
        deadline.release();
        throw mapFetchError(error, {
          method,
          url: shownUrl(),
          timeoutMs,
          timedOut: deadline.timedOut,
          callerAborted: request.signal.aborted,
        });
      }
    };

    /** The same attempt through `globalThis.fetch`, read at call time (see createTransport). */
    const viaFetch = async (deadline: Deadline): Promise<Response> => {
      const chosen = dispatchers.forUrl(url);
      const dispatcher = releasedOnComplete(
        chosen instanceof Promise ? await chosen : chosen,
        deadline,
        request.redirect,
        limit,
      );
      const init: Omit<RequestInit, "dispatcher"> & { dispatcher: DispatchOnly } = {
        signal: deadline.signal,
        dispatcher,
        ...(replayBody ? { body: replayBody } : {}),
      };
      const response = await globalThis.fetch(request, init as RequestInit);
      return response.body !== null && limit && !dispatcher.countsBody
        ? limitBody(response, limit.maxBytes, limit.exceeded)
        : response;
    };

    /** Reports the retry and waits; a caller's abort ends the wait at once. */
    const waitBeforeRetry = async (event: Omit<RetryEvent, "method" | "url" | "limit">) => {
      options.onRetry?.({ method, url: shownUrl(), limit: retry.limit, ...event });
      try {
        await sleepFor(event.delayMs, request.signal);
      } catch (error) {
        throw fail(
          mapFetchError(error, {
            method,
            url: shownUrl(),
            timeoutMs,
            timedOut: false,
            callerAborted: true,
          }),
        );
      }
    };

    for (let retries = 0; ; retries++) {
      const mayRetry = retries < retry.limit;
      let response: Response;
      try {
        response = await attempt(retries === 0 ? timeoutMs : Math.max(1, timeLeft()));
      } catch (error) {
        const failure = error as PassgrantError;
        const delayMs = retryDelayAfterFailure(
          failure,
          { retries, idempotent, timeLeftMs: timeLeft() },
          retry,
          random,
        );
        if (delayMs === undefined) throw fail(failure);
        await waitBeforeRetry({ retry: retries + 1, delayMs, retryAfter: false, error: failure });
        continue;
      }
      if (!(mayRetry && idempotent && RETRY_STATUSES.has(response.status))) return response;

      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      if (
        retryAfterMs !== undefined &&
        retryAfterMs > Math.min(retry.maxRetryAfterMs, timeLeft())
      ) {
        throw fail(await notWaiting(response, retryAfterMs));
      }
      const delayMs = retryAfterMs ?? backoffDelay(retries + 1, retry, random);
      if (delayMs >= timeLeft()) return response;
      // Drop this answer's body (closing its connection if it is still arriving) before waiting.
      await response.body?.cancel().catch(() => undefined);
      current?.release();
      await waitBeforeRetry({
        retry: retries + 1,
        delayMs,
        retryAfter: retryAfterMs !== undefined,
        status: response.status,
      });
    }

    /** The typed error for a server asking to wait longer than passgrant will. */
    async function notWaiting(response: Response, retryAfterMs: number): Promise<HttpError> {
      const seconds = Math.ceil(retryAfterMs / 1000);
      const at = new Date(Date.now() + retryAfterMs);
      const reason =
        retryAfterMs > retry.maxRetryAfterMs
          ? `more than passgrant waits on its own (retry.maxRetryAfterMs, ${retry.maxRetryAfterMs} ms)`
          : `more than the ${Math.max(0, Math.round(timeLeft()))} ms left of timeoutMs`;
      return httpErrorFromResponse(response, {
        method,
        url: shownUrl(),
        request,
        retryAfter: at,
        hint: `The server asks to retry after ${seconds} s (at ${at.toISOString()}), ${reason}: try again then`,
      });
    }
  }

  if (options.formsOverNodeHttp === true) {
    const direct = nodeHttpFormPost({
      tls,
      timeoutMs,
      maxResponseBytes,
      allowInsecureHttp: options.allowInsecureHttp === true,
      retry,
      sleep: sleepFor,
      random,
      hooks: options,
    });
    attachFormPost(transportFetch, (url, request) =>
      dispatchers.proxied(new URL(url))
        ? postWithFetch(transportFetch, url, request)
        : direct(url, request),
    );
  }
  return { fetch: transportFetch, close: () => dispatchers.close() };
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
