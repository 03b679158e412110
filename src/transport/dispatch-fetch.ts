import type { Transform } from "node:stream";
import type { Dispatcher } from "undici";
import { contentDecoder } from "./content-decoder.js";
import { type BodyLimit, type Deadline, type DispatchOnly, REDIRECT_STATUSES } from "./deadline.js";

/**
 * What passgrant's transport does instead of calling Node's `fetch`, as long as no test double
 * has replaced it: it hands the request to the same undici dispatcher `fetch` would use
 * and builds the `Response` itself from the dispatcher's callbacks. Node 20's fetch spends about
 * 100 µs a request on the Fetch standard's machinery (a second `Request`, its fetch controller,
 * dozens of promises) that a client of one origin with no cookies or CORS never needs; undici's
 * dispatcher API is the layer under it (bench/overhead.mjs measures both).
 *
 * What fetch does that a script would notice is kept: its default request headers, decoding of
 * gzip, deflate and br, redirects followed as the Fetch standard says (§4.4: 20 at most, 303 and a
 * POST's 301/302 become a GET without a body, `Authorization` and `Cookie` dropped when the origin
 * changes, and with it the scheme), `redirect: "manual"` and `"error"`, `url` and `redirected` on
 * the response. The deadline and the body cap act on the socket directly. Not kept: fetch's list
 * of blocked ports (a browser's defence against web pages reaching other protocols).
 */

/** The request one exchange sends: the transport's `Request`, its body already in memory. */
export interface DispatchRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | undefined;
  redirect: Request["redirect"];
}

export interface DispatchSettings {
  /** The dispatcher for each hop (Node's own agent, or passgrant's for TLS settings and proxies). */
  dispatcherFor: (url: URL) => DispatchOnly | Promise<DispatchOnly>;
  /** Covers every hop and the final body; its signal aborts the exchange in progress. */
  deadline: Deadline;
  /** Counted on the final body as it is decoded; redirect bodies are dropped, but counted too. */
  limit: BodyLimit | undefined;
}

/** The Fetch standard's limit on redirects followed (§4.4 HTTP-redirect fetch, step 5). */
const MAX_REDIRECTS = 20;
/** Statuses whose response has no body (Fetch standard, "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/**
 * What a body queues before the socket is paused: as much as fetch's own stream holds. A small
 * body nobody reads then still completes, and its connection goes back to the pool.
 */
const QUEUE: QueuingStrategy<Uint8Array> = {
  highWaterMark: 64 * 1024,
  size: (chunk) => chunk.byteLength,
};
/** Dropped from a redirect that turns the request into a GET without a body (§4.4 step 12). */
const BODY_HEADERS = [
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
  "content-length",
];
/** Dropped from a redirect to another origin (§4.4 step 13, and undici's cookie and proxy ones). */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];
/** What Node 20's fetch adds to a request lacking them: servers see the same on either path. */
const FETCH_DEFAULT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["accept", "*/*"],
  ["accept-language", "*"],
  ["sec-fetch-mode", "cors"],
  ["user-agent", "node"],
  ["accept-encoding", "gzip, deflate"],
];

let nodeFetch: unknown;

/**
 * Whether `fetch` is Node's own global fetch: the small function of Node's bootstrap that loads
 * its bundled undici. A replacement (nock, msw, `vi.stubGlobal`) is anything else, and then the
 * transport goes through it so that it sees every request. Should Node's source change, this says
 * no, and requests go through fetch as they did before this path existed.
 */
export function isNodeFetch(fetch: unknown): boolean {
  if (fetch === nodeFetch) return true;
  if (
    typeof fetch === "function" &&
    Function.prototype.toString.call(fetch).includes("internal/deps/undici/undici")
  ) {
    nodeFetch = fetch;
    return true;
  }
  return false;
}

/** Sends `request`, following redirects as fetch would; rejects as fetch would ("fetch failed"). */
export async function dispatchFetch(
  request: DispatchRequest,
  settings: DispatchSettings,
): Promise<Response> {
  let { url, method, body } = request;
  const headers = new Headers(request.headers);
  for (const [name, value] of FETCH_DEFAULT_HEADERS) {
    if (!headers.has(name)) headers.set(name, value);
  }
  const follow = request.redirect === "follow";
  for (let redirects = 0; ; redirects++) {
    const chosen = settings.dispatcherFor(url);
    const dispatcher = chosen instanceof Promise ? await chosen : chosen;
    const response = await exchange(dispatcher, { url, method, headers, body }, settings, follow);
    if (!REDIRECT_STATUSES.has(response.status) || request.redirect === "manual") {
      return withUrl(response, url, redirects > 0);
    }
    if (request.redirect === "error") {
      await response.body?.cancel();
      throw new TypeError("fetch failed", { cause: new Error("unexpected redirect") });
    }
    const location = response.headers.get("location");
    if (location === null) return withUrl(response, url, redirects > 0);
    if (redirects === MAX_REDIRECTS) {
      throw new TypeError("fetch failed", { cause: new Error("redirect count exceeded") });
    }
    const next = parseLocation(location, url);
    const status = response.status;
    if (
      status === 303 ? method !== "GET" && method !== "HEAD" : status <= 302 && method === "POST"
    ) {
      method = "GET";
      body = undefined;
      for (const name of BODY_HEADERS) headers.delete(name);
    }
    if (next.origin !== url.origin) {
      for (const name of CREDENTIAL_HEADERS) headers.delete(name);
    }
    url = next;
  }
}

function parseLocation(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new TypeError("fetch failed", { cause: new Error("invalid redirect location") });
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new TypeError("fetch failed", {
      cause: new Error("URL scheme must be a HTTP(S) scheme"),
    });
  }
  return next;
}

/** A constructed `Response` has no URL of its own; callers resolve `Link` headers against it. */
function withUrl(response: Response, url: URL, redirected: boolean): Response {
  return Object.defineProperties(response, {
    url: { value: url.href },
    redirected: { value: redirected },
  });
}

interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | undefined;
}

/**
 * One request and its response. A redirect to follow settles once its body has been read and
 * dropped (the connection stays usable); any other response settles at its headers, with a body
 * streamed from the socket: up to {@link QUEUE} queued, the socket paused until it is read.
 */
function exchange(
  dispatcher: DispatchOnly,
  hop: Hop,
  { deadline, limit }: DispatchSettings,
  follow: boolean,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    let abortSocket: ((reason?: Error) => void) | undefined;
    let resumeSocket: (() => void) | undefined;
    let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
    let decoder: Transform | undefined;
    let redirect: Response | undefined;
    let received = 0;
    let paused = false;
    let over = false;

    const finish = (): void => {
      over = true;
      deadline.signal.removeEventListener("abort", onAbort);
    };
    const fail = (error: unknown): void => {
      if (over) return;
      finish();
      deadline.release();
      abortSocket?.(error instanceof Error ? error : undefined);
      decoder?.destroy();
      if (stream) stream.error(error);
      else reject(error);
    };
    /** Timeout, the caller's abort, or the body cap (through `deadline.abort`). */
    function onAbort(): void {
      fail(deadline.signal.reason);
    }
    /** Counts decoded bytes against the cap and queues them; false when the reader is behind. */
    const push = (bytes: Uint8Array): boolean => {
      received += bytes.byteLength;
      if (limit && received > limit.maxBytes) {
        deadline.abort(limit.exceeded());
        return false;
      }
      stream?.enqueue(bytes);
      return (stream?.desiredSize ?? 0) > 0;
    };
    const close = (): void => {
      finish();
      deadline.release();
      stream?.close();
    };

    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        if (over) abort();
        else abortSocket = abort;
      },
      onHeaders(status, rawHeaders, resume, statusText) {
        if (over) return false;
        resumeSocket = resume;
        let response: Response;
        try {
          const headers = new Headers();
          const raw = rawHeaders as Buffer[];
          for (let i = 0; i < raw.length; i += 2)
            headers.append(latin1(raw[i]), latin1(raw[i + 1]));
          if (follow && REDIRECT_STATUSES.has(status) && headers.has("location")) {
            redirect = new Response(null, { status, statusText, headers });
            return true;
          }
          const hasBody = hop.method !== "HEAD" && !NULL_BODY_STATUSES.has(status);
          response = new Response(hasBody ? bodyStream() : null, { status, statusText, headers });
          if (hasBody) decoder = decoding(headers.get("content-encoding"));
        } catch (error) {
          // An invalid header value or status: fetch fails the same way ("fetch failed").
          stream = undefined;
          fail(new TypeError("fetch failed", { cause: error }));
          return false;
        }
        resolve(response);
        return true;
      },
      onData(chunk) {
        if (over) return false;
        if (redirect) {
          received += chunk.length;
          if (limit && received > limit.maxBytes) deadline.abort(limit.exceeded());
          return true;
        }
        // undici hands on an empty chunk when resumed with nothing read yet: queueing it would
        // make the reader pull, and resume, again at once, round and round without any I/O.
        if (!stream || chunk.length === 0) return true;
        // Copied, as fetch does: the bytes may be a view of a buffer the parser reuses.
        paused = decoder
          ? !decoder.write(chunk) || (stream.desiredSize ?? 0) <= 0
          : !push(new Uint8Array(chunk));
        return !paused;
      },
      onComplete() {
        if (over) return;
        if (redirect) {
          finish();
          resolve(redirect);
        } else if (decoder) {
          decoder.end();
        } else {
          close();
        }
      },
      onError(error) {
        fail(new TypeError(stream ? "terminated" : "fetch failed", { cause: error }));
      },
    };

    function bodyStream(): ReadableStream<Uint8Array> {
      return new ReadableStream<Uint8Array>(
        {
          start(controller) {
            stream = controller;
          },
          pull() {
            decoder?.resume();
            if (!paused) return;
            paused = false;
            resumeSocket?.();
          },
          cancel() {
            if (over) return;
            finish();
            deadline.release();
            decoder?.destroy();
            // Closes the connection: the rest of the body is not wanted.
            abortSocket?.(new Error("The response body was cancelled."));
          },
        },
        QUEUE,
      );
    }

    function decoding(contentEncoding: string | null): Transform | undefined {
      const decoded = contentDecoder(contentEncoding);
      decoded?.on("data", (bytes: Buffer) => {
        if (!push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
          decoded.pause();
        }
      });
      decoded?.on("end", close);
      decoded?.on("error", (error) => fail(new TypeError("terminated", { cause: error })));
      return decoded;
    }

    if (deadline.signal.aborted) {
      onAbort();
      return;
    }
    deadline.signal.addEventListener("abort", onAbort);
    const { url } = hop;
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: hop.method as Dispatcher.HttpMethod,
          headers: headerList(hop.headers),
          ...(hop.body ? { body: new Uint8Array(hop.body) } : {}),
        },
        handler,
      );
    } catch (error) {
      // undici checks its arguments before sending (a header value with a line break...).
      fail(new TypeError("fetch failed", { cause: error }));
    }
  });
}

/** A header name or value as fetch reads it off the wire (RFC 9110 §5.5: octets, not UTF-8). */
function latin1(bytes: Buffer | undefined): string {
  return bytes ? bytes.toString("latin1") : "";
}

/** Headers as undici's flat list of names and values. */
function headerList(headers: Headers): string[] {
  const list: string[] = [];
  for (const [name, value] of headers) list.push(name, value);
  return list;
}
