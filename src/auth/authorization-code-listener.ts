import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, type PassgrantError } from "../errors.js";
import { abortedBy } from "../transport/aborted-error.js";

import { AuthorizationCallbackError } from "./authorization-code.js";

/** The reason an abort gives when its signal says nothing of its own. */
const CANCELLED = "the browser sign-in was cancelled";

/**
 * The pages the browser sees. Static on purpose: nothing from the request (the server's
 * `error_description`, the path) is ever written into them, so no markup can be injected.
 */
const PAGES = {
  success: page(
    "Signed in",
    "passgrant received the sign-in. You may close this window and return to the terminal.",
  ),
  refused: page(
    "Sign-in not completed",
    "The authorization server did not grant access. You may close this window; the terminal says why.",
  ),
  mismatch: page(
    "Sign-in not accepted",
    "This answer does not belong to the sign-in passgrant started (its state or issuer does not match), so it was refused. You may close this window; the terminal says what to do.",
  ),
  invalid: page(
    "Sign-in not completed",
    "The answer carried no authorization code. You may close this window; the terminal says what to do.",
  ),
  notFound: page("Not found", "Nothing here."),
} as const;

export type CallbackPage = Exclude<keyof typeof PAGES, "notFound">;

function page(title: string, text: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>passgrant: ${title}</title></head>
<body><h1>${title}</h1><p>${text}</p></body></html>
`;
}

/**
 * Security headers for a page on a loopback origin that had an authorization code in its URL:
 * no scripts or subresources (CSP), no Referer carrying the code anywhere, no framing, no caching.
 */
const PAGE_HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  Connection: "close",
} as const;

/** A request line and headers larger than this are refused (431) by Node's parser. */
const MAX_REQUEST_HEADER_BYTES = 16 * 1024;
/** Browsers open a few parallel connections; nothing legitimate needs more. */
const MAX_CONNECTIONS = 16;
/** A connection that does not finish sending its request within this is dropped (slowloris). */
const REQUEST_TIMEOUT_MS = 10_000;

/** What the flow makes of the callback's query: the page to show, and the outcome. */
export interface CallbackDecision<T> {
  page: CallbackPage;
  outcome: T | PassgrantError;
}

export interface CallbackListenerOptions<T> {
  /**
   * 0 for any free port (RFC 8252 §7.3: the server must accept any port on a loopback
   * redirect URI).
   */
  port: number;
  /** The redirect URI's path, e.g. `/callback`. */
  path: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Reads the callback's query; called once, for the first request on `path`. */
  decide: (query: URLSearchParams) => CallbackDecision<T>;
}

export interface CallbackListener<T> {
  /** `http://127.0.0.1:PORT/path` (RFC 8252 §7.3, §8.3: the literal IP, never `localhost`). */
  redirectUri: string;
  /**
   * The decision's outcome, after the browser was answered and the listener closed; rejects with
   * its error, or with `AuthorizationCallbackError` (timeout) or `AbortedError` (signal).
   */
  outcome: Promise<T>;
  /** Stops listening and drops every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 for the browser's one redirect back (RFC 8252 §7.3): answers it with a
 * static page, then closes. Other paths get a 404 (a browser asks for `/favicon.ico`), requests
 * under another Host a 400 (DNS rebinding: a web page cannot reach the listener by a name of its
 * own). Bounded: header size, connection count, per-request time, and the whole wait
 * (`timeoutMs`); `signal` stops it at once.
 */
export async function listenForCallback<T>(
  options: CallbackListenerOptions<T>,
): Promise<CallbackListener<T>> {
  // Loaded on use: only the browser sign-in runs a server.
  const { createServer } = await import("node:http");
  if (options.signal?.aborted) throw abortedBy(options.signal, CANCELLED);
  const server: Server = createServer({
    maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: REQUEST_TIMEOUT_MS,
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(
      `Cannot listen on 127.0.0.1:${options.port} for the browser's redirect (${error.code ?? "error"}): choose another port, or 0 for any free one.`,
      { cause: error },
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const redirectUri = `http://${host}${options.path}`;

  let settle!: (result: { value: T } | { error: unknown }) => void;
  const outcome = new Promise<T>((resolve, reject) => {
    settle = (result) => ("error" in result ? reject(result.error) : resolve(result.value));
  });
  outcome.catch(() => {}); // the caller may close before it waits
  let settled = false;
  const finish = (result: { value: T } | { error: unknown }) => {
    if (settled) return;
    settled = true;
    void close().then(() => settle(result));
  };

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, html: string) => {
      response.writeHead(status, PAGE_HEADERS).end(request.method === "HEAD" ? undefined : html);
    };
    if (settled) return send(404, PAGES.notFound);
    if (request.headers.host !== host) return send(400, PAGES.notFound);
    let url: URL;
    try {
      url = new URL(request.url ?? "/", `http://${host}`);
    } catch {
      return send(400, PAGES.notFound);
    }
    if (url.pathname !== options.path) return send(404, PAGES.notFound);
    // Only the browser's GET is the answer: a HEAD (a link checker) must not use it up.
    if (request.method !== "GET") {
      response.setHeader("Allow", "GET");
      return send(405, PAGES.notFound);
    }
    const decision = options.decide(url.searchParams);
    settled = true;
    response.writeHead(decision.page === "success" ? 200 : 400, PAGE_HEADERS);
    response.end(PAGES[decision.page], () => {
      void close().then(() =>
        settle(
          decision.outcome instanceof Error
            ? { error: decision.outcome }
            : { value: decision.outcome as T },
        ),
      );
    });
  });

  const timer = setTimeout(
    () =>
      finish({
        error: new AuthorizationCallbackError(
          "timeout",
          `The browser did not come back within ${Math.round(options.timeoutMs / 1000)} s.`,
          "Sign in again, and finish in the browser sooner (or raise `timeoutMs`).",
        ),
      }),
    options.timeoutMs,
  );
  const onAbort = () => finish({ error: abortedBy(options.signal as AbortSignal, CANCELLED) });
  options.signal?.addEventListener("abort", onAbort, { once: true });

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  return { redirectUri, outcome, close };
}
