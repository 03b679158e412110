export { REDACTED, redact, redactUrl } from "../redact.js";
export { AbortedError } from "../transport/aborted-error.js";
export {
  HttpError,
  InsecureTransportError,
  NetworkError,
} from "../transport/errors.js";
export { TimeoutError } from "../transport/timeout-error.js";
export { TlsError } from "../transport/tls-error.js";
export { bearerAuth } from "./bearer-middleware.js";
export { basicAuthorization, CLIENT_AUTH_METHODS, formEncode } from "./client-auth.js";
export {
  type AuthorizationServerMetadata,
  DiscoveryError,
  type DiscoveryFailure,
  discoverAuthorizationServer,
} from "./discovery.js";
export { GRANT_SWITCH_TENANT, GRANT_SWITCH_USER } from "./grants.js";
export { OAuthError, type OAuthErrorCode } from "./oauth-error.js";
export { TokenEndpointHttpError } from "./token-endpoint-http-error.js";
export { createTokenProvider, DEFAULT_RENEW_SKEW_MS } from "./token-provider.js";
export { MAX_EXPIRES_IN_SECONDS, MAX_TOKEN_RESPONSE_BYTES } from "./token-response.js";
export { TokenResponseError } from "./token-response-error.js";
export type {
  ClientAuthMethod,
  DeviceCodeGrant,
  DeviceCodePrompt,
  Grant,
  IntrospectionResult,
  TokenEvent,
  TokenExchangeGrant,
  TokenProvider,
  TokenProviderOptions,
  TokenSet,
  TokenStore,
  TokenTypeHint,
} from "./types.js";
