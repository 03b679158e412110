import { PassgrantError } from "../errors.js";

/** Who was called, for error messages: method and a redacted URL. */
export interface RequestTarget {
  method: string;
  /** Already redacted (see `redactUrl`). */
  url: string;
}

/**
 * The server answered with an HTTP status the caller cannot use. Carries the request id or
 * correlation header when the server sent one, so a person can quote it to the platform team.
 */
export class HttpError extends PassgrantError {
  readonly status: number;
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly requestId?: string;
  /** A short, redacted excerpt of the response body. */
  readonly body?: string;
  /**
   * When the server said to try again (its `Retry-After`, RFC 9110 §10.2.3), set when passgrant
   * did not wait that long itself (beyond `retry.maxRetryAfterMs` or the time left).
   */
  readonly retryAfter?: Date;
  /**
   * The platform's error body when it is JSON with a `code` or a `message` (MSX's `Error`
   * schema), each value redacted; absent for any other body.
   */
  readonly platformError?: PlatformErrorBody;
  /**
   * The response headers. Non-enumerable, so logging or serialising the error does not print
   * them (a `Set-Cookie` is no one's business in a log line).
   */
  declare readonly headers?: Headers;

  constructor(
    init: RequestTarget & {
      status: number;
      requestId?: string;
      body?: string;
      hint?: string;
      retryAfter?: Date;
      platformError?: PlatformErrorBody;
      headers?: Headers;
    },
    options?: { cause?: unknown },
  ) {
    const parts = [`${init.method} ${init.url} answered HTTP ${init.status}`];
    if (init.requestId) parts.push(`(request id ${init.requestId})`);
    let message = parts.join(" ");
    if (init.body) message += `: ${init.body}`;
    if (init.hint) message += `. ${init.hint}`;
    super("ERR_HTTP", message, options);
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.body !== undefined) this.body = init.body;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.platformError !== undefined) this.platformError = init.platformError;
    if (init.headers !== undefined) {
      Object.defineProperty(this, "headers", { value: init.headers, enumerable: false });
    }
  }
}

/** A platform's JSON error body (`{ code, message }`), redacted. */
export interface PlatformErrorBody {
  readonly code?: string;
  readonly message?: string;
}

/** The connection failed (refused, reset, DNS, proxy). `causeCode` is the system code if any. */
export class NetworkError extends PassgrantError {
  readonly method: string;
  readonly url: string;
  readonly causeCode?: string;

  constructor(
    init: RequestTarget & { reason: string; causeCode?: string; hint?: string },
    options?: { cause?: unknown },
  ) {
    const hint = init.hint ? ` ${init.hint}` : "";
    super("ERR_NETWORK", `${init.method} ${init.url} failed: ${init.reason}.${hint}`, options);
    this.method = init.method;
    this.url = init.url;
    if (init.causeCode !== undefined) this.causeCode = init.causeCode;
  }
}

/** Credentials would travel over plain http:// to a host that is not loopback. */
export class InsecureTransportError extends PassgrantError {
  readonly url: string;

  constructor(url: string) {
    super(
      "ERR_INSECURE_TRANSPORT",
      `Refusing to send credentials over plain http:// to ${url}: anyone on the path could read ` +
        "them. Use https://, or set allowInsecureHttp: true if this network is trusted.",
    );
    this.url = url;
  }
}
