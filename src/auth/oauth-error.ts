import { PassgrantError } from "../errors.js";

/**
 * The `error` codes a token endpoint may send: RFC 6749 §5.2, and RFC 8628 §3.5 for the device
 * flow. Open to any other string: platforms add their own (MSX's `{ code }` bodies land here).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "authorization_pending"
  | "slow_down"
  | "access_denied"
  | "expired_token"
  // Keeps the literals above as editor suggestions while accepting any string.
  | (string & {});

/**
 * The token endpoint refused the request: an RFC 6749 §5.2 error body (`error`,
 * `error_description`, `error_uri`), or the platform's own `{ code, message }` body mapped onto
 * the same fields. Branch on `error` (`invalid_client`, `invalid_grant`, ...).
 */
export class OAuthError extends PassgrantError {
  /** The RFC 6749 §5.2 error code, or the platform's `code`. */
  readonly error: OAuthErrorCode;
  readonly errorDescription?: string;
  readonly errorUri?: string;
  /**
   * HTTP status of the response (an `error` member in a 200 response is an error too); 0 for an
   * error the browser brought back on the redirect.
   */
  readonly status: number;
  readonly requestId?: string;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(
    init: {
      error: OAuthErrorCode;
      errorDescription?: string;
      errorUri?: string;
      status: number;
      requestId?: string;
      /** What to do about it; appended to the message. */
      hint?: string;
      /**
       * Who refused: the token endpoint (default), or the authorization endpoint through the
       * browser's redirect (RFC 6749 §4.1.2.1), which has no HTTP status of its own.
       */
      endpoint?: "token" | "authorization";
    },
    options?: { cause?: unknown },
  ) {
    let message =
      init.endpoint === "authorization"
        ? `The authorization server refused the sign-in: ${init.error}`
        : `The token endpoint refused the request: ${init.error} (HTTP ${init.status})`;
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
