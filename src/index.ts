// The package root: the typed client, the auth layer, the transport and the error hierarchy.
// The sandbox (`passgrant/sandbox`) and the nock kit (`passgrant/testing`) have entry points of
// their own, so importing the root never loads a server or nock.
export type { components, operations, paths } from "../generated/msx.js";
export * from "./auth/index.js";
export { CacheError, type CacheProblem } from "./cli/cache-error.js";
export { type ApiClientOptions, createApiClient } from "./client/create-api-client.js";
export { jsonResponseCheck } from "./client/json-response-check.js";
export {
  createMsxClient,
  type MsxClient,
  type MsxOperationId,
  msxOperations,
  type OperationRoute,
} from "./client/msx.js";
export type { StrictClient } from "./client/strict-client.js";
export {
  UnexpectedResponseError,
  type UnexpectedResponseInit,
} from "./client/unexpected-response-error.js";
export { ConfigError, PassgrantError, type PassgrantErrorCode } from "./errors.js";
export {
  createTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  httpErrorFromResponse,
  type RequestTarget,
  ResponseTooLargeError,
  type RetryEvent,
  type RetryOptions,
  type Transport,
  type TransportOptions,
} from "./transport/index.js";
