import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";

/**
 * One request's time limit and cancellation: a single AbortController whose signal goes to
 * `fetch`, aborted by an unref'd timer after `timeoutMs` or when the caller's own signal aborts.
 *
 * It replaces `AbortSignal.any([request.signal, AbortSignal.timeout(ms)])`, which in Node 20
 * costs two more signals, WeakRef and FinalizationRegistry bookkeeping, and a timer that outlives
 * the response by the whole timeout, on every request: under concurrent load that showed up as
 * abort-signal and GC time in CPU profiles (bench/overhead.mjs). Here the timer and the listener
 * on the caller's signal are dropped as soon as the exchange is over ({@link Deadline.release}).
 */
export interface Deadline {
  /** Hand this to `fetch`: aborts on timeout or on the caller's abort. */
  readonly signal: AbortSignal;
  /** True once the timer fired, unless the caller had aborted first. */
  readonly timedOut: boolean;
  /** Stops the timer and forgets the caller's signal. Idempotent. */
  release(): void;
  /**
   * Ends the exchange now: `fetch` rejects, or the body being read errors, with `reason` itself
   * (undici hands the signal's reason on), and the connection is closed.
   */
  abort(reason: Error): void;
}

/**
 * Starts the clock. On timeout the signal aborts with `timeoutReason()`, so `fetch` rejects, and
 * a body being read errors, with that reason; a caller's abort passes the caller's reason on.
 */
export function startDeadline(
  timeoutMs: number,
  callerSignal: AbortSignal,
  timeoutReason: () => unknown,
): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = (): void => {
    clearTimeout(timer);
    controller.abort(callerSignal.reason);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    callerSignal.removeEventListener("abort", onCallerAbort);
    controller.abort(timeoutReason());
  }, timeoutMs);
  // An exchange in progress keeps the process alive through its socket, not through this timer.
  timer.unref();
  if (callerSignal.aborted) onCallerAbort();
  else callerSignal.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut && !callerSignal.aborted;
    },
    release() {
      clearTimeout(timer);
      callerSignal.removeEventListener("abort", onCallerAbort);
    },
    abort(reason) {
      this.release();
      controller.abort(reason);
    },
  };
}

/** What `fetch` needs of a dispatcher: it only ever calls `dispatch`. */
export type DispatchOnly = Pick<Dispatcher, "dispatch">;

/** A cap on the final response's body, enforced as its bytes arrive. */
export interface BodyLimit {
  maxBytes: number;
  /** The error the body's reader gets when the cap is passed. */
  exceeded: () => Error;
}

/** A dispatcher watching one request's exchange. */
export interface WatchedDispatcher extends DispatchOnly {
  /**
   * True when the final response's body was counted against the {@link BodyLimit} here: it went
   * through this dispatcher and was not content-encoded. Otherwise (a test double that never
   * dispatches, or gzip/br/deflate that `fetch` decompresses after this point) the caller must
   * count the body `fetch` hands back.
   */
  readonly countsBody: boolean;
}

/**
 * Wraps `dispatcher` for one request so that `deadline` is released when the final response's
 * last byte has arrived (or the exchange failed), and not before: the timeout covers the headers
 * and the body. A redirect that `fetch` follows is not the end; the next hop is dispatched through
 * this same wrapper. With a `limit`, an identity-encoded final body is counted as it arrives and
 * the exchange is aborted with `limit.exceeded()` past `limit.maxBytes`.
 *
 * Watching the dispatcher costs one small object per hop. The alternative, wrapping the response
 * body in another ReadableStream to see its end (or count it), cost more than everything it
 * replaced. Test doubles that replace `globalThis.fetch` (nock) never dispatch: their deadline is
 * released by its own timer, unref'd, which then aborts an exchange that is already over.
 */
export function releasedOnComplete(
  dispatcher: DispatchOnly,
  deadline: Deadline,
  redirect: Request["redirect"],
  limit?: BodyLimit,
): WatchedDispatcher {
  const watch = {
    countsBody: false,
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers) {
      return dispatcher.dispatch(
        options,
        new ReleaseOnComplete(handler, deadline, redirect, limit, watch),
      );
    },
  };
  return watch;
}

/** Statuses `fetch` follows when the request's `redirect` is "follow" (Fetch standard). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A pass-through handler (undici's DecoratorHandler, whose typings declare no methods). */
class ReleaseOnComplete implements Dispatcher.DispatchHandlers {
  #final = true;
  /** Bytes of the body counted so far, or -1 when this body is not counted here. */
  #received = -1;
  #overflowed = false;

  constructor(
    private readonly handler: Dispatcher.DispatchHandlers,
    private readonly deadline: Deadline,
    private readonly redirect: Request["redirect"],
    private readonly limit: BodyLimit | undefined,
    private readonly watch: { countsBody: boolean },
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.handler.onConnect?.(abort);
  }

  onResponseStarted(): void {
    this.handler.onResponseStarted?.();
  }

  onHeaders(
    statusCode: number,
    headers: Buffer[],
    resume: () => void,
    statusText: string,
  ): boolean {
    this.#final = !(
      this.redirect === "follow" &&
      REDIRECT_STATUSES.has(statusCode) &&
      hasHeader(headers, "location")
    );
    const counted = this.limit !== undefined && !hasHeader(headers, "content-encoding");
    this.#received = counted ? 0 : -1;
    if (this.#final) this.watch.countsBody = counted;
    return this.handler.onHeaders?.(statusCode, headers, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#received >= 0 && this.limit) {
      this.#received += chunk.length;
      if (this.#received > this.limit.maxBytes) {
        // The body's reader gets this error (undici errors it with the signal's reason) and
        // the connection is destroyed: nothing more is read from the socket or passed on.
        this.#overflowed = true;
        this.#received = -1;
        this.deadline.abort(this.limit.exceeded());
      }
    }
    if (this.#overflowed) return false;
    return this.handler.onData?.(chunk) ?? true;
  }

  onComplete(trailers: string[] | null): void {
    if (this.#final) this.deadline.release();
    this.handler.onComplete?.(trailers);
  }

  onError(error: Error): void {
    this.deadline.release();
    this.handler.onError?.(error);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.handler.onUpgrade?.(statusCode, headers, socket);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.handler.onBodySent?.(chunkSize, totalBytesSent);
  }
}

/** Whether raw headers (name, value, name, value...) hold `name` (lower case). */
function hasHeader(headers: Buffer[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === name) return true;
  }
  return false;
}
