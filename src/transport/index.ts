export { AbortedError } from "./aborted-error.js";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./body-limit.js";
export type { DispatcherSet, ProxySetting } from "./dispatcher.js";
export {
  HttpError,
  InsecureTransportError,
  NetworkError,
  type RequestTarget,
} from "./errors.js";
export { isLoopbackHost } from "./loopback.js";
export { mapFetchError } from "./map-fetch-error.js";
export {
  excerpt,
  httpErrorFromResponse,
  type LimitedText,
  readTextLimited,
  requestIdOf,
} from "./response-body.js";
export { ResponseTooLargeError } from "./response-too-large-error.js";
export {
  DEFAULT_RETRY,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
  RETRY_STATUSES,
  type RetryEvent,
  type RetryOptions,
} from "./retry.js";
export { TimeoutError } from "./timeout-error.js";
export { TlsError } from "./tls-error.js";
export {
  createTransport,
  DEFAULT_TIMEOUT_MS,
  INSECURE_TLS_WARNING,
  type Transport,
  type TransportOptions,
} from "./transport.js";
