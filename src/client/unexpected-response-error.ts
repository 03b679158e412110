import { PassgrantError } from "../errors.js";
import { redactUrl } from "../redact.js";

/** What {@link UnexpectedResponseError} reports; every text already redacted. */
export interface UnexpectedResponseInit {
  method: string;
  /** Redacted. */
  url: string;
  status: number;
  /** The `Content-Type` the server sent, if any. */
  contentType?: string;
  /** What is wrong, e.g. "an HTML page instead of JSON". */
  problem: string;
  /** A short, redacted excerpt of the body. */
  excerpt?: string;
  hint?: string;
}

/**
 * An API call succeeded by its status (2xx) but did not answer what the API promises: a body
 * that is not JSON (an SSO login page, a proxy's notice, a truncated body), JSON of the wrong
 * shape, or a listing whose next page makes no progress. Code `ERR_UNEXPECTED_RESPONSE`.
 */
export class UnexpectedResponseError extends PassgrantError {
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly status: number;
  readonly contentType?: string;
  readonly problem: string;
  /** A short, redacted excerpt of the body. */
  readonly excerpt?: string;

  constructor(init: UnexpectedResponseInit, options?: { cause?: unknown }) {
    const type = init.contentType ? ` (${init.contentType.slice(0, 100)})` : "";
    let message = `${init.method} ${init.url} answered HTTP ${init.status}${type} with ${init.problem}`;
    if (init.excerpt) message += `: ${init.excerpt}`;
    if (init.hint) message += `. ${init.hint}`;
    super("ERR_UNEXPECTED_RESPONSE", message, options);
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    if (init.contentType !== undefined) this.contentType = init.contentType;
    this.problem = init.problem;
    if (init.excerpt !== undefined) this.excerpt = init.excerpt;
  }

  /** One about `response`: its redacted URL (or `details.url`), status and content type filled in. */
  static about(
    response: Response,
    details: Omit<UnexpectedResponseInit, "url" | "status" | "contentType"> & { url?: string },
    options?: { cause?: unknown },
  ): UnexpectedResponseError {
    const contentType = response.headers.get("content-type") ?? undefined;
    const { url, ...rest } = details;
    return new UnexpectedResponseError(
      {
        ...rest,
        url: redactUrl(url ?? response.url),
        status: response.status,
        ...(contentType ? { contentType } : {}),
      },
      options,
    );
  }
}
