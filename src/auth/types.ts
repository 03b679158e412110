import type { KeyObject } from "node:crypto";
import type { PassgrantError } from "../errors.js";

import type { AuthorizationCodeGrant, AuthorizationPrompt } from "./authorization-code.js";
import type { ClientAssertionAlg } from "./client-assertion.js";
import type { ClientAuthMethod } from "./client-auth.js";
import type { DeviceCodePrompt } from "./device-code.js";
import type { AuthorizationServerMetadata } from "./discovery.js";
import type { IntrospectionResult, TokenTypeHint } from "./token-info.js";

export type {
  AuthorizationCodeGrant,
  AuthorizationPrompt,
  ClientAssertionAlg,
  ClientAuthMethod,
  DeviceCodePrompt,
  IntrospectionResult,
  TokenTypeHint,
};

/** The grant a provider uses to obtain its first token (and again when a refresh is refused). */
export type Grant =
  | { type: "password"; username: string; password: string }
  | { type: "client_credentials" }
  | DeviceCodeGrant
  | AuthorizationCodeGrant
  | TokenExchangeGrant
  | SilentGrant
  | { type: string /* extension grant URI */; parameters?: Record<string, string> };

/**
 * No sign-in of its own (MSAL's silent acquisition): only the token `store` keeps under
 * `storeKey` (both required), renewed with its refresh token (RFC 6749 §6) when it expires. When
 * neither serves, `getToken()` rejects with `SignInRequiredError` (`ERR_SIGN_IN_REQUIRED`) and no
 * other request is sent.
 */
export interface SilentGrant {
  type: "silent";
}

/**
 * The device authorization grant (RFC 8628), for accounts that sign in with MFA or a browser: the
 * user approves on another device, at the page and with the code `onDeviceCode` is given.
 */
export interface DeviceCodeGrant {
  type: "device_code";
  /** Shows the user where to go and which code to enter (also sent as a `device-code` event). */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Stops waiting for the approval (e.g. on Ctrl-C): the flow rejects with `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * Token exchange (RFC 8693), the standard form of on-behalf-of: trades `subjectToken` (say, the
 * token a service received from its caller) for one meant for another audience or resource.
 */
export interface TokenExchangeGrant {
  type: "token_exchange";
  subjectToken: string;
  /** RFC 8693 §3, e.g. `urn:ietf:params:oauth:token-type:access_token`. */
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  /** e.g. `urn:ietf:params:oauth:token-type:access_token` (the server's default when absent). */
  requestedTokenType?: string;
  /** The logical name of the target service (RFC 8693 §2.1). */
  audience?: string;
  /** The target service's URI (RFC 8707). */
  resource?: string;
}

/** A token response, normalised. JSON-serialisable, so a store can persist it as is. */
export interface TokenSet {
  accessToken: string;
  /** `Bearer` (normalised from any casing). */
  tokenType: string;
  /** Epoch milliseconds; absent when the server sent no `expires_in`. */
  expiresAt?: number;
  refreshToken?: string;
  scope?: string;
  /** The full server response, extra members (`tenantId`, `roles`, ...) kept. */
  raw: Record<string, unknown>;
}

/** A pluggable token cache (the CLI's on-disk cache implements it). */
export interface TokenStore {
  load(key: string): Promise<TokenSet | undefined>;
  save(key: string, token: TokenSet): Promise<void>;
  clear(key: string): Promise<void>;
  /** Optional cross-process exclusion: the provider runs grant/refresh+save inside it. */
  withLock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** What a provider reports through `onEvent`. */
export type TokenEvent =
  /** A token request is about to be sent. */
  | { type: "grant"; grantType: string }
  /** A token was obtained. */
  | { type: "token"; grantType: string; expiresAt?: number }
  /** A refresh was refused; falling back to the original grant. */
  | { type: "refresh-failed"; error: PassgrantError }
  | { type: "cache-hit" }
  /** The device flow waits for the user to approve at `verificationUri` with `userCode`. */
  | ({ type: "device-code" } & DeviceCodePrompt)
  /** The browser sign-in waits for the user at `authorizationUrl`. */
  | ({ type: "authorization-url" } & AuthorizationPrompt)
  /** A tolerated server deviation, or a store failure that did not stop the provider. */
  | { type: "warning"; code: string; message: string };

export interface TokenProviderOptions {
  /**
   * The token endpoint, e.g. `https://msx.example.com/idm/v2/token`. Required unless `issuer` is
   * given; when both are, this one is used for tokens.
   */
  tokenUrl?: string | URL;
  /**
   * The authorization server's issuer identifier, e.g. `https://login.example.com`: its metadata
   * (RFC 8414, or OpenID Connect Discovery) is read once, on first need, and names the token,
   * device authorization, revocation and introspection endpoints. The document's `issuer` must
   * be exactly this string (RFC 8414 §3.3).
   */
  issuer?: string;
  /** RFC 7009 revocation endpoint. Default: the `issuer`'s metadata's `revocation_endpoint`. */
  revocationUrl?: string | URL;
  /** RFC 7662 introspection endpoint. Default: the `issuer`'s metadata's `introspection_endpoint`. */
  introspectionUrl?: string | URL;
  /**
   * The device authorization endpoint (RFC 8628 §3.1), for the `device_code` grant. Default: the
   * `issuer`'s metadata's `device_authorization_endpoint`.
   */
  deviceAuthorizationUrl?: string | URL;
  /**
   * The authorization endpoint (RFC 6749 §3.1), for the `authorization_code` grant. Default: the
   * `issuer`'s metadata's `authorization_endpoint`.
   */
  authorizationUrl?: string | URL;
  clientId: string;
  /** Required unless `clientAuth` is `"none"`; `undefined` (an unset variable) is as if absent. */
  clientSecret?: string | undefined;
  /**
   * How the client's credentials are sent (see `ClientAuthMethod`).
   * @default "private_key_jwt" when `clientAssertionKey` or `clientAssertionKeyFile` is given,
   * else "basic"
   */
  clientAuth?: ClientAuthMethod;
  /**
   * For `clientAuth: "private_key_jwt"` (RFC 7523 §2.2): the client's private key, as a
   * `KeyObject` or unencrypted PEM text (PKCS#8, PKCS#1 RSA or SEC1 EC). The server must have
   * its public key registered for the client (its JWKS). A secret: never logged, masked in
   * errors. Give it or `clientAssertionKeyFile`.
   * @default undefined
   */
  clientAssertionKey?: KeyObject | string | Buffer;
  /**
   * For `clientAuth: "private_key_jwt"`: the path of the PEM file holding the private key (read
   * once, at most 256 KiB), instead of `clientAssertionKey`.
   * @default undefined
   */
  clientAssertionKeyFile?: string;
  /**
   * The JWS algorithm of the client assertions; it must fit the key.
   * @default "RS256" for an RSA key, "ES256"/"ES384"/"ES512" for an EC key by its curve, "EdDSA"
   * for Ed25519
   */
  clientAssertionAlg?: ClientAssertionAlg;
  /**
   * The `kid` header of the client assertions, for a server that picks the key by it among the
   * client's registered keys.
   * @default undefined (no `kid`)
   */
  clientAssertionKid?: string;
  /**
   * The `aud` claim of the client assertions (RFC 7523 §3): some servers want their issuer
   * identifier rather than the endpoint URL.
   * @default the URL of the endpoint each request goes to (the token endpoint for tokens, as
   * OpenID Connect Core §9 says)
   */
  clientAssertionAudience?: string;
  grant: Grant;
  /** RFC 6749 §3.3: sent space-separated. */
  scope?: string | readonly string[];
  /** Default: `createTransport().fetch`. Pass the same transport's fetch as the API client's. */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Renew this many milliseconds before expiry (capped at half the token's lifetime).
   * @default 60000
   */
  renewSkewMs?: number;
  /** Epoch milliseconds now; for tests. Default `Date.now`. */
  clock?: () => number;
  /** Waits between device flow polls; for tests (with `clock`). Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  store?: TokenStore;
  /** The key in `store`. Default: derived from token URL, client id, grant type and user. */
  storeKey?: string;
  onEvent?: (event: TokenEvent) => void;
  /**
   * Send credentials to a plain http:// token URL that is not loopback.
   * @default false
   */
  allowInsecureHttp?: boolean;
}

export interface TokenProvider {
  /** Cached, single-flight; renews before expiry. */
  getToken(): Promise<TokenSet>;
  getAccessToken(): Promise<string>;
  /**
   * Forgets the access token (keeps the refresh token for renewal). With `accessToken`, only if
   * that is still the current one, so many requests failing with the same stale token renew once.
   */
  invalidate(accessToken?: string): void;
  /** A new provider for the same user in another tenant (the platform's switch-tenant grant). */
  switchTenant(target: { tenantId: string } | { tenantName: string }): Promise<TokenProvider>;
  /** A new provider acting as another user (the platform's switch-user grant). */
  switchUser(username: string): Promise<TokenProvider>;
  /**
   * Signs out (RFC 7009): revokes the refresh token, then the access token, and forgets both, in
   * memory and in the store. Without tokens, only forgets. A refused revocation throws and keeps
   * the tokens, so it can be tried again.
   */
  revoke(): Promise<void>;
  /**
   * What the server says about `token` (RFC 7662), by default the current access token (obtained
   * first when there is none).
   */
  introspect(token?: string, hint?: TokenTypeHint): Promise<IntrospectionResult>;
  /**
   * The issuer's metadata (read once, then kept); `undefined` when the provider was given no
   * `issuer`. Throws `DiscoveryError` when the document is missing or names another issuer.
   */
  serverMetadata(): Promise<AuthorizationServerMetadata | undefined>;
  /**
   * Every secret this provider knows right now: the current and recently replaced access and
   * refresh tokens, the password (or other grant secrets), the client secret and the HTTP Basic
   * value built from it. For masking by value in errors and logs (see `redact`): a server that
   * echoes an opaque token back leaves nothing else to recognise it by.
   */
  knownSecrets(): string[];
}
