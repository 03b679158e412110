import { PassgrantError } from "../errors.js";

/**
 * The token endpoint refused the request: an RFC 6749 §5.2 error body (`error`,
 * `error_description`, `error_uri`), or the platform's own `{ code, message }` body mapped onto
 * the same fields. Branch on `error` (`invalid_client`, `invalid_grant`, ...).
 */
export class OAuthError extends PassgrantError {
  /** The RFC 6749 §5.2 error code, or the platform's `code`. */
  readonly error: string;
  readonly errorDescription?: string;
  readonly errorUri?: string;
  /** HTTP status of the response (an `error` member in a 200 response is an error too). */
  readonly status: number;
  readonly requestId?: string;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(
    init: {
      error: string;
      errorDescription?: string;
      errorUri?: string;
      status: number;
      requestId?: string;
      /** What to do about it; appended to the message. */
      hint?: string;
    },
    options?: { cause?: unknown },
  ) {
    let message = `The token endpoint refused the request: ${init.error} (HTTP ${init.status})`;
    if (init.errorDescription) message += `: ${init.errorDescription}`;
    if (init.requestId) message += ` [request id ${init.requestId}]`;
    if (init.hint) message += `. ${init.hint}`;
    super("ERR_OAUTH", message, options);
    this.error = init.error;
    this.status = init.status;
    if (init.errorDescription !== undefined) this.errorDescription = init.errorDescription;
    if (init.errorUri !== undefined) this.errorUri = init.errorUri;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.hint !== undefined) this.hint = init.hint;
  }
}

/**
 * The token endpoint answered 200 with something that is not a usable token response: not JSON
 * (often an HTML login page), truncated, too large, wrong member types, no `access_token`.
 * `excerpt` is a short, redacted piece of the body.
 */
export class TokenResponseError extends PassgrantError {
  readonly status: number;
  readonly excerpt?: string;
  readonly requestId?: string;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(
    init: { problem: string; status: number; excerpt?: string; requestId?: string; hint?: string },
    options?: { cause?: unknown },
  ) {
    let message = `Unusable token response (HTTP ${init.status}): ${init.problem}`;
    if (init.requestId) message += ` [request id ${init.requestId}]`;
    if (init.excerpt) message += `. Body starts: ${init.excerpt}`;
    if (init.hint) message += `. ${init.hint}`;
    super("ERR_TOKEN_RESPONSE", message, options);
    this.status = init.status;
    if (init.excerpt !== undefined) this.excerpt = init.excerpt;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.hint !== undefined) this.hint = init.hint;
  }
}
