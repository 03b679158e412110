import { PassgrantError } from "../errors.js";

/**
 * The work was stopped on purpose: the caller aborted a request through its own AbortSignal (then
 * `method` and `url` name the request), or a whole run was interrupted with no one request to
 * name (Ctrl-C in the CLI, output closed). Either way `code` is `ERR_ABORTED`, so one check
 * tells a cancellation from a failure.
 */
export class AbortedError extends PassgrantError {
  readonly method?: string;
  /** Redacted. */
  readonly url?: string;
  /** Why, when known: `SIGINT`, `standard output was closed`, the signal's own reason. */
  readonly reason?: string;

  constructor(
    init: { method?: string; url?: string; reason?: string } = {},
    options?: { cause?: unknown },
  ) {
    const why = init.reason ? ` (${init.reason})` : "";
    super(
      "ERR_ABORTED",
      init.method !== undefined && init.url !== undefined
        ? `${init.method} ${init.url} was aborted${why || " by the caller"}.`
        : `Interrupted${why}.`,
      options,
    );
    if (init.method !== undefined) this.method = init.method;
    if (init.url !== undefined) this.url = init.url;
    if (init.reason !== undefined) this.reason = init.reason;
  }
}

/**
 * The AbortedError for an aborted `signal`: its own reason when that is one already, a string
 * reason or an Error's message as the reason, else `fallback` ("the device authorization was
 * cancelled").
 */
export function abortedBy(signal: AbortSignal, fallback: string): AbortedError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortedError) return reason;
  return new AbortedError(
    {
      reason:
        typeof reason === "string"
          ? reason
          : reason instanceof Error && reason.name !== "AbortError"
            ? reason.message
            : fallback,
    },
    { cause: reason },
  );
}
