import type { IncomingMessage } from "node:http";
import type { SecureContext } from "node:tls";
import type { PassgrantError } from "../errors.js";
import { nodeTls } from "../lazy-builtins.js";
import { redactUrl } from "../redact.js";
import { contentDecoder } from "./content-decoder.js";
import { InsecureTransportError } from "./errors.js";
import type { FormPost, FormReply, FormRequest } from "./form-post.js";
import { exposesCredentials } from "./loopback.js";
import { mapFetchError } from "./map-fetch-error.js";
import type { LimitedText } from "./response-body.js";
import { ResponseTooLargeError } from "./response-too-large-error.js";
import { type RetryPolicy, retryDelayAfterFailure, type Sleep } from "./retry.js";
import { TimeoutError } from "./timeout-error.js";
import type { TlsConnectOptions } from "./tls-options.js";
import type { TransportHooks } from "./transport-hooks.js";

/** The transport's settings a form post over node:http keeps. */
export interface NodeHttpFormPostSettings {
  hooks: TransportHooks;
  tls: TlsConnectOptions;
  timeoutMs: number;
  maxResponseBytes: number;
  allowInsecureHttp: boolean;
  retry: RetryPolicy;
  sleep: Sleep;
  random: () => number;
}

const METHOD = "POST";

/**
 * Form posts over `node:http`/`node:https` instead of fetch (see the transport's
 * `formsOverNodeHttp`), with the transport's guarantees: certificates verified (Node's roots plus
 * `ca`, or not at all with `insecureTls`), the client certificate, credentials refused over plain
 * http:// off loopback, one deadline over the headers, the body and every retry, the body capped
 * as it arrives (after decompression), no redirect followed, the same retries (a POST only when it
 * never left this machine) and the same hooks and typed errors.
 */
export function nodeHttpFormPost(settings: NodeHttpFormPostSettings): FormPost {
  const tls = tlsOnce(settings.tls);
  return async (url, request) => {
    const started = performance.now();
    const target = new URL(url);
    const shownUrl = () => redactUrl(target);
    const fail = (error: PassgrantError): PassgrantError => {
      settings.hooks.onRequestError?.({
        method: METHOD,
        url: shownUrl(),
        error,
        durationMs: Math.round(performance.now() - started),
      });
      return error;
    };
    const sent = [...request.headers.keys()].map((name) => name.toLowerCase());
    if (exposesCredentials(target, (name) => sent.includes(name)) && !settings.allowInsecureHttp) {
      throw fail(new InsecureTransportError(shownUrl()));
    }
    const timeLeft = () => settings.timeoutMs - (performance.now() - started);
    for (let retries = 0; ; retries++) {
      try {
        return await sendOnce(
          target,
          request,
          settings,
          target.protocol === "https:" ? tls() : {},
          {
            budgetMs: retries === 0 ? settings.timeoutMs : Math.max(1, timeLeft()),
            shownUrl,
          },
        );
      } catch (error) {
        const failure = error as PassgrantError;
        // RFC 9110 §9.2.2: a POST is not idempotent; it is resent only when it never left.
        const delayMs = retryDelayAfterFailure(
          failure,
          { retries, idempotent: false, timeLeftMs: timeLeft() },
          settings.retry,
          settings.random,
        );
        if (delayMs === undefined) throw fail(failure);
        settings.hooks.onRetry?.({
          method: METHOD,
          url: shownUrl(),
          limit: settings.retry.limit,
          retry: retries + 1,
          delayMs,
          retryAfter: false,
          error: failure,
        });
        try {
          await settings.sleep(delayMs, request.signal ?? new AbortController().signal);
        } catch (aborted) {
          throw fail(failureOf(aborted, settings, shownUrl, { timedOut: false, aborted: true }));
        }
      }
    }
  };
}

/** What `https.request` is given of the TLS settings; ignored by `http.request`. */
type RequestTls = { secureContext?: SecureContext; rejectUnauthorized?: false };

/**
 * The TLS settings as one secure context, made on first use and kept: a `ca` list holds Node's
 * 140-odd roots besides the custom CA, and parsing them again for every post (each post has a
 * connection of its own) would cost milliseconds each time. No settings: Node's defaults.
 */
function tlsOnce(settings: TlsConnectOptions): () => RequestTls {
  const { rejectUnauthorized, ...material } = settings;
  const verify = rejectUnauthorized === false ? { rejectUnauthorized } : {};
  if (Object.keys(material).length === 0) return () => verify;
  let made: RequestTls | undefined;
  return () => {
    made ??= { secureContext: nodeTls().createSecureContext(material), ...verify };
    return made;
  };
}

/** One attempt: resolves once the headers arrive; the deadline goes on over the body. */
async function sendOnce(
  url: URL,
  request: FormRequest,
  settings: NodeHttpFormPostSettings,
  tls: RequestTls,
  attempt: { budgetMs: number; shownUrl: () => string },
): Promise<FormReply> {
  const started = performance.now();
  const { signal } = request;
  const state = { timedOut: false, aborted: false };
  const failure = (error: unknown) => failureOf(error, settings, attempt.shownUrl, state);
  if (signal?.aborted) throw failure(signal.reason);
  // Loaded here, not at start-up: a process answering from its token cache sends nothing.
  const http = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const body = Buffer.from(request.body, "utf8");

  return new Promise<FormReply>((resolve, reject) => {
    const sent = http.request(url, {
      method: METHOD,
      headers: {
        // What Node's fetch sends, so a server sees the same request whichever way it went.
        "User-Agent": "node",
        ...Object.fromEntries(request.headers),
        "Content-Length": String(body.length),
      },
      // One connection per post, closed after it: nothing pooled outlives the request.
      agent: false,
      ...tls,
    });
    let received: IncomingMessage | undefined;
    const stop = (error: Error) => {
      if (received) received.destroy(error);
      else sent.destroy(error);
    };
    const timer = setTimeout(() => {
      state.timedOut = true;
      stop(failure(undefined));
    }, attempt.budgetMs);
    // The open socket keeps the process alive while it matters; the timer alone must not.
    timer.unref();
    const onAbort = () => {
      state.aborted = true;
      stop(failure(signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };

    sent.on("error", (error) => {
      settle();
      reject(failure(error));
    });
    sent.on("response", (response) => {
      received = response;
      // Errors reach whoever reads the body; unread, they must not crash the process.
      response.on("error", () => {});
      response.on("close", settle);
      settings.hooks.onResponse?.({
        method: METHOD,
        url: attempt.shownUrl(),
        status: response.statusCode ?? 0,
        durationMs: Math.round(performance.now() - started),
      });
      resolve(replyOf(response, settings, attempt.shownUrl, failure));
    });
    sent.end(body);
  });
}

function replyOf(
  response: IncomingMessage,
  settings: NodeHttpFormPostSettings,
  shownUrl: () => string,
  failure: (error: unknown) => PassgrantError,
): FormReply {
  const status = response.statusCode ?? 0;
  let read = false;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(", ") : value;
      },
    },
    async readText(maxBytes) {
      if (read) throw new Error("passgrant bug: a form reply's body was read twice");
      read = true;
      try {
        return await readCapped(
          response,
          maxBytes,
          settings.maxResponseBytes,
          () =>
            new ResponseTooLargeError({
              method: METHOD,
              url: shownUrl(),
              maxBytes: settings.maxResponseBytes,
            }),
        );
      } catch (error) {
        throw failure(error);
      } finally {
        response.destroy();
      }
    },
    async discard() {
      read = true;
      response.destroy();
    },
  };
}

/**
 * Reads the body, decompressed as its Content-Encoding says (fetch does the same, and a few KiB
 * of gzip can inflate to GiBs: the caps count decompressed bytes). Past `maxBytes` the text is
 * cut (`truncated`); past the transport's `maxResponseBytes`, when lower, reading fails.
 */
async function readCapped(
  response: IncomingMessage,
  maxBytes: number,
  maxResponseBytes: number,
  tooLarge: () => Error,
): Promise<LimitedText> {
  const source = decoded(response);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (size + chunk.length > maxResponseBytes && maxResponseBytes < maxBytes) throw tooLarge();
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      size = maxBytes;
      return { text: Buffer.concat(chunks, size).toString("utf8"), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks, size).toString("utf8"), truncated: false };
}

function decoded(response: IncomingMessage): NodeJS.ReadableStream {
  const decoder = contentDecoder(response.headers["content-encoding"]);
  if (!decoder) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

/** Any failure of an attempt as passgrant's error: timeout, abort, TLS, network, too large. */
function failureOf(
  error: unknown,
  settings: NodeHttpFormPostSettings,
  shownUrl: () => string,
  state: { timedOut: boolean; aborted: boolean },
): PassgrantError {
  if (state.timedOut) {
    return new TimeoutError({ method: METHOD, url: shownUrl(), timeoutMs: settings.timeoutMs });
  }
  return mapFetchError(error, {
    method: METHOD,
    url: shownUrl(),
    timeoutMs: settings.timeoutMs,
    timedOut: false,
    callerAborted: state.aborted,
  });
}
