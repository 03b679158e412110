// The package root (`passgrant`): the typed client, the auth layer, the transport and the error
// hierarchy. The sandbox (`passgrant/sandbox`) and the nock kit (`passgrant/testing`) have entry
// points of their own, so importing the root never loads a server or nock.
//
// Every name is listed on purpose (no `export *`): a name added to a module does not become public
// by accident, and test/foundation/public-api.test.ts snapshots this list. Deliberately left out:
// - encoding helpers the token provider uses itself (`formEncode`, `basicAuthorization`): the
//   `clientAuth` option is the public way to choose how credentials are sent;
// - internal limits and defaults (`MAX_TOKEN_RESPONSE_BYTES`, `DEFAULT_TIMEOUT_MS`,
//   `DEFAULT_MAX_RESPONSE_BYTES`, `DEFAULT_RENEW_SKEW_MS`, `DEFAULT_RETRY`): each default is an
//   `@default` tag on its option instead, so it can change without breaking an import;
// - `RequestTarget` (the errors' constructor input; errors carry `method` and `url` themselves)
//   and `REDACTED` (the mask's text is not a contract: check for the secret's absence instead);
// - the CLI's parts (exit codes, MSX_* variable tables): the CLI is the `passgrant` executable,
//   not a library. The file token cache is the library's (`createFileTokenCache`: accounts and
//   silent acquisition), which the CLI's `--cache` uses; its store class stays internal
//   (`cache.store` is a `TokenStore`). The CLI's config loader (`loadPlatformConfig`, with
//   `loadEnvironment` for `.env`) is exported on purpose, so a script reads the same settings
//   the same way, every problem listed at once; `createSession` uses it.
export type { components, operations, paths } from "../generated/msx.js";
export {
  AuthorizationCallbackError,
  type AuthorizationFailure,
} from "./auth/authorization-code.js";
export { bearerAuth } from "./auth/bearer-middleware.js";
export { CLIENT_AUTH_METHODS } from "./auth/client-auth.js";
export {
  type AuthorizationServerMetadata,
  DiscoveryError,
  type DiscoveryFailure,
  discoverAuthorizationServer,
} from "./auth/discovery.js";
export { GRANT_SWITCH_TENANT, GRANT_SWITCH_USER } from "./auth/grants.js";
export { OAuthError, type OAuthErrorCode } from "./auth/oauth-error.js";
export { SignInRequiredError } from "./auth/silent-grant.js";
export { TokenEndpointHttpError } from "./auth/token-endpoint-http-error.js";
export { createTokenProvider } from "./auth/token-provider.js";
export { MAX_EXPIRES_IN_SECONDS } from "./auth/token-response.js";
export { TokenResponseError } from "./auth/token-response-error.js";
export type {
  AuthorizationCodeGrant,
  AuthorizationPrompt,
  ClientAssertionAlg,
  ClientAuthMethod,
  DeviceCodeGrant,
  DeviceCodePrompt,
  Grant,
  IntrospectionResult,
  SilentGrant,
  TokenEvent,
  TokenExchangeGrant,
  TokenProvider,
  TokenProviderOptions,
  TokenSet,
  TokenStore,
  TokenTypeHint,
} from "./auth/types.js";
export type { AccountIdentity, CachedAccount } from "./cache/accounts.js";
export { type CacheAdvice, CacheError, type CacheProblem } from "./cache/cache-error.js";
export {
  createFileTokenCache,
  type FileTokenCache,
  type FileTokenCacheOptions,
  type SilentAcquisitionOptions,
} from "./cache/file-token-cache.js";
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
export {
  type Environment,
  type LoadedEnvironment,
  loadEnvironment,
  type ReadEnvironmentOptions,
} from "./config/environment.js";
export {
  type ConfigRequirements,
  loadPlatformConfig,
  type PlatformConfig,
} from "./config/platform-config.js";
export { ConfigError, PassgrantError, type PassgrantErrorCode } from "./errors.js";
export { redact, redactUrl } from "./redact.js";
export type {
  CreateSessionOptions,
  OperationRouteEntry,
  Session,
} from "./session/create-session.js";
export { createSession } from "./session/create-session-on-demand.js";
export { InvalidRequestError, UnknownOperationError } from "./session/errors.js";
export type { PaginateOptions } from "./session/paginate.js";
export type {
  CallArgs,
  CallInit,
  CallResult,
  PageItem,
  PaginateArgs,
  PaginateInit,
  UntypedInit,
  UntypedOperations,
} from "./session/types.js";
export { AbortedError } from "./transport/aborted-error.js";
export type { ProxySetting } from "./transport/dispatcher.js";
export {
  HttpError,
  InsecureTransportError,
  NetworkError,
} from "./transport/errors.js";
export { httpErrorFromResponse } from "./transport/response-body.js";
export { ResponseTooLargeError } from "./transport/response-too-large-error.js";
export type { RetryEvent, RetryOptions } from "./transport/retry.js";
export { TimeoutError } from "./transport/timeout-error.js";
export { TlsError } from "./transport/tls-error.js";
export {
  createTransport,
  type Transport,
  type TransportOptions,
} from "./transport/transport.js";
