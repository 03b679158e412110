import { PassgrantError } from "../errors.js";
import type { RequestTarget } from "./errors.js";

/** The TLS handshake failed, most often because the server's certificate is not trusted. */
export class TlsError extends PassgrantError {
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly causeCode?: string;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint: string;

  constructor(
    init: RequestTarget & {
      reason: string;
      causeCode?: string;
      /** Replaces the certificate advice when the failure is not about trust (e.g. no TLS at all). */
      hint?: string;
    },
    options?: { cause?: unknown },
  ) {
    const hint =
      init.hint ??
      "If the server uses a lab or company CA, pass its PEM file as `caFile`. Turning " +
        "verification off (`insecureTls`) is a last resort.";
    super(
      "ERR_TLS",
      init.hint
        ? `${init.method} ${init.url} failed: ${init.reason}. ${hint}`
        : `${init.method} ${init.url} failed TLS verification: ${init.reason}. ${hint}`,
      options,
    );
    this.method = init.method;
    this.url = init.url;
    if (init.causeCode !== undefined) this.causeCode = init.causeCode;
    this.hint = hint;
  }
}
