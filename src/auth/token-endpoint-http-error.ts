import { HttpError, type RequestTarget } from "../transport/errors.js";

/**
 * The token endpoint answered an HTTP error that is not an OAuth error (RFC 6749 §5.2): a 404
 * for a wrong URL, a redirect (never followed: it would re-send the credentials), a proxy's 401,
 * a 5xx. Still an {@link HttpError} (code `ERR_HTTP`), so existing handlers keep working; `option`
 * names the setting that chose the URL, so an application can point at its own name for it.
 */
export class TokenEndpointHttpError extends HttpError {
  /** The option whose URL answered: the token endpoint's. */
  readonly option = "tokenUrl";
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(
    init: RequestTarget & { status: number; requestId?: string; body?: string; hint?: string },
    options?: { cause?: unknown },
  ) {
    super(init, options);
    if (init.hint !== undefined) this.hint = init.hint;
  }
}
