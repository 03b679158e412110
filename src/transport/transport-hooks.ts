import type { PassgrantError } from "../errors.js";
import type { RetryEvent } from "./retry.js";

/** What a transport reports as requests go (for a verbose log); every URL is redacted. */
export interface TransportHooks {
  /** Called after each response's headers arrive. */
  onResponse?: (info: { method: string; url: string; status: number; durationMs: number }) => void;
  /** Called before each retry's wait: what failed, which retry, how long. */
  onRetry?: (event: RetryEvent) => void;
  /** Called when a request fails before a response, with the mapped error. */
  onRequestError?: (info: {
    method: string;
    url: string;
    error: PassgrantError;
    durationMs: number;
  }) => void;
}
