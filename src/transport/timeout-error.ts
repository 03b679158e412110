import { PassgrantError } from "../errors.js";
import type { RequestTarget } from "./errors.js";

/** The request did not complete within the transport's `timeoutMs`. */
export class TimeoutError extends PassgrantError {
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly timeoutMs: number;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint: string;

  constructor(init: RequestTarget & { timeoutMs: number }, options?: { cause?: unknown }) {
    const hint = "Check that the server is reachable and healthy, or raise `timeoutMs`.";
    super(
      "ERR_TIMEOUT",
      `${init.method} ${init.url} did not complete within ${init.timeoutMs} ms. ${hint}`,
      options,
    );
    this.method = init.method;
    this.url = init.url;
    this.timeoutMs = init.timeoutMs;
    this.hint = hint;
  }
}
