import { PassgrantError } from "../errors.js";

/**
 * The token endpoint answered 200 with something that is not a usable token response: not JSON
 * (often an HTML login page), truncated, too large, wrong member types, no `access_token`.
 * `excerpt` is a short, redacted piece of the body. Also a token response that lacks what the
 * caller needs from it (no `refresh_token` to refresh with): then `status` is unknown when the
 * token came from a cache.
 */
export class TokenResponseError extends PassgrantError {
  /** The HTTP status of the token response, when this error comes from one. */
  readonly status?: number;
  readonly excerpt?: string;
  readonly requestId?: string;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(
    init: {
      problem: string;
      status?: number;
      excerpt?: string;
      requestId?: string;
      hint?: string;
    },
    options?: { cause?: unknown },
  ) {
    let message = `Unusable token response${init.status === undefined ? "" : ` (HTTP ${init.status})`}: ${init.problem}`;
    if (init.requestId) message += ` [request id ${init.requestId}]`;
    if (init.excerpt) message += `. Body starts: ${init.excerpt}`;
    if (init.hint) message += `. ${init.hint}`;
    super("ERR_TOKEN_RESPONSE", message, options);
    if (init.status !== undefined) this.status = init.status;
    if (init.excerpt !== undefined) this.excerpt = init.excerpt;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.hint !== undefined) this.hint = init.hint;
  }
}
