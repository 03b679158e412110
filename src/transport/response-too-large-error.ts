import { PassgrantError } from "../errors.js";
import type { RequestTarget } from "./errors.js";

/**
 * A response body grew past the transport's `maxResponseBytes` (counted after decompression),
 * so passgrant stopped reading it and closed the connection rather than buffer it all.
 */
export class ResponseTooLargeError extends PassgrantError {
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  /** The limit that was exceeded, in bytes. */
  readonly maxBytes: number;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint: string;

  constructor(init: RequestTarget & { maxBytes: number }, options?: { cause?: unknown }) {
    const hint =
      "If the platform really sends responses this large, raise `maxResponseBytes`; otherwise " +
      "the server or a proxy in between is misbehaving.";
    super(
      "ERR_RESPONSE_TOO_LARGE",
      `${init.method} ${init.url} answered a body larger than ${formatBytes(init.maxBytes)}, the ` +
        "most passgrant reads of one response (decompressed size); it stopped reading and closed " +
        `the connection. ${hint}`,
      options,
    );
    this.hint = hint;
    this.method = init.method;
    this.url = init.url;
    this.maxBytes = init.maxBytes;
  }
}

/** "16 MiB (16777216 bytes)", or just the bytes when they are not a whole number of KiB/MiB. */
function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB (${bytes} bytes)`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB (${bytes} bytes)`;
  return `${bytes} bytes`;
}
