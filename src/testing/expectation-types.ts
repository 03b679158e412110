import type { KeyObject } from "node:crypto";
import type { JSONWebKeySet, JWK } from "jose";
import type nock from "nock";
import type { RecordedRequest } from "./recorder.js";
import type {
  DocumentedStatus,
  MsxOperations,
  OffSpecStatus,
  OperationsLike,
  PathParams,
  RequestBody,
  ResponseBody,
  Schemas,
  SuccessStatus,
  UntypedOperations,
} from "./types.js";
import type { ContractViolation } from "./violations.js";

/** The operationIds of an `operations` type. */
export type OperationId<O extends OperationsLike> = keyof O & string;

/** A request a mock intercepted, as handed to `match.where` and to reply-body functions. */
export interface InterceptedRequest<
  K extends string = OperationId<MsxOperations>,
  O extends OperationsLike = MsxOperations,
> {
  operationId: K;
  method: string;
  /** The path below the mock's base URL, without the query string. */
  path: string;
  params: PathParams<K, O>;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** The parsed body: JSON, or a form's fields (the token endpoint's). */
  body: RequestBody<K, O> | undefined;
}

type BodySource<K extends string, B, O extends OperationsLike> =
  | B
  | ((request: InterceptedRequest<K, O>) => B);

/**
 * The reply of an expectation: a status the spec documents (typed body), or an off-spec one
 * (a rate limit or a gateway failure) whose body is `E` (the MSX mock: the platform's `Error`).
 */
export type ReplyFor<
  K extends string,
  O extends OperationsLike = MsxOperations,
  E = Schemas["Error"],
> =
  | { status?: undefined; body?: BodySource<K, ResponseBody<K, SuccessStatus<K, O>, O>, O> }
  | {
      [S in DocumentedStatus<K, O>]: { status: S; body?: BodySource<K, ResponseBody<K, S, O>, O> };
    }[DocumentedStatus<K, O>]
  | { status: OffSpecStatus; body?: BodySource<K, E, O> };

/** Which requests an expectation answers. All given criteria must hold. */
export interface RequestMatch<K extends string, O extends OperationsLike = MsxOperations> {
  /** Path parameters, compared after URL decoding. */
  params?: Partial<PathParams<K, O>>;
  /** Query parameters that must be present with these values (others are allowed). */
  query?: Readonly<Record<string, string | readonly string[]>>;
  /** Body fields that must be present with these values (others are allowed). */
  body?: Partial<NonNullable<RequestBody<K, O>>>;
  /** Any other condition. */
  where?: (request: InterceptedRequest<K, O>) => boolean;
}

/** How one expected call is matched and answered. */
export type ExpectOptions<
  K extends string,
  O extends OperationsLike = MsxOperations,
  E = Schemas["Error"],
> = ReplyFor<K, O, E> & {
  /** Extra reply headers (e.g. `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
  /** Hold the response back this long (nock's `delay`), to exercise timeouts. */
  delayMs?: number;
  /** How many calls this expectation answers (default 1). */
  times?: number;
  match?: RequestMatch<K, O>;
  /** Bearer-secured operations: the request must carry exactly this token. */
  requireAccessToken?: string;
};

/** One method per operationId, each expecting a call of that operation. */
export type ExpectMethods<O extends OperationsLike, E, Self> = {
  [K in OperationId<O>]: (options?: ExpectOptions<K, O, E>) => Self;
};

/** What every mock has besides its operation methods. */
export interface MockMembers<O extends OperationsLike, E, Self> {
  /** The mocked base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The nock scope holding the expectations (for `scope.isDone()` and the like). */
  readonly scope: nock.Scope;
  /** Everything found wrong so far. */
  readonly violations: readonly ContractViolation<OperationId<O>>[];
  /** Every request the mock answered, in order, with credentials masked. */
  readonly requests: readonly RecordedRequest<OperationId<O>>[];
  /** Expect one call of any operation by id (what the named methods call). */
  expect<K extends OperationId<O>>(operationId: K, options?: ExpectOptions<K, O, E>): Self;
  /** Descriptions of the expectations not yet used up. */
  pending(): string[];
  /** True when every expectation was used and nothing was violated. */
  isDone(): boolean;
  /**
   * Throws a {@link ContractViolationError} listing every spec mismatch, unexpected request and
   * unused expectation. Call it at the end of each test (e.g. in `afterEach`).
   */
  verify(): void;
}

/**
 * A nock-backed stand-in for an API described by an OpenAPI document: one method per operationId
 * to expect a call (typed when the generated `operations` type is given as `O`), checks of every
 * intercepted request against the document, and `verify()` to fail the test. An operationId that
 * collides with a member (`expect`, `verify`, ...) is reached through `expect(operationId)`.
 */
export type ApiMock<O extends OperationsLike = UntypedOperations, E = unknown> = Omit<
  MockMembers<O, E, never>,
  "expect"
> & {
  /** Expect one call of any operation by id (what the named methods call). */
  expect<K extends OperationId<O>>(operationId: K, options?: ExpectOptions<K, O, E>): ApiMock<O, E>;
} & { [K in OperationId<O>]: (options?: ExpectOptions<K, O, E>) => ApiMock<O, E> };

/** Credentials the mock expects, beyond the schemes the document names. */
export interface MockApiOptions {
  /**
   * The `Authorization: Basic` credentials operations secured by HTTP Basic must carry (on an
   * OAuth2 token endpoint: the client id and secret). Any are accepted if unset.
   */
  basic?: { username: string; password: string };
  /**
   * Bearer tokens (http bearer, oauth2 and openIdConnect schemes) operations may carry. Empty
   * or unset: any non-empty token.
   */
  bearerTokens?: readonly string[];
  /** API keys by security scheme name; a scheme not listed takes any non-empty key. */
  apiKeys?: Readonly<Record<string, string>>;
}

/**
 * The key a `private_key_jwt` client's assertions must verify with: the client's public key (a
 * `KeyObject`, a PEM public key or certificate, or a JWK), or the JWK Set registered for the
 * client (the key is then picked by the assertion's `kid` and `alg`). A private key is accepted
 * too (its public half is used), so a test can share one key pair with the client.
 */
export type ClientAssertionKey = KeyObject | string | JWK | JSONWebKeySet;

/**
 * What the token endpoint checks of a client assertion (`private_key_jwt`, RFC 7523 §2.2 and
 * §3): always that `client_assertion_type` is the JWT bearer type, that the assertion is a signed
 * JWT whose `iss` and `sub` are the client id, whose `aud` is the token endpoint's URL, and whose
 * `exp` is in the future; with `publicKey`, also its signature.
 */
export interface ClientAssertionExpectation {
  /**
   * The key the assertion's signature must verify with.
   * @default unset: the signature is not checked (its form and claims still are)
   */
  publicKey?: ClientAssertionKey;
  /**
   * An `aud` accepted besides the token endpoint's URL, e.g. the issuer when the client sets
   * `clientAssertionAudience` to it (RFC 7523 §3 lets the authorization server choose).
   * @default unset: only the token endpoint's URL
   */
  audience?: string;
}

/**
 * The client a token endpoint expects, and how it proves itself (RFC 6749 §2.3). The kit sees the
 * request, not the TLS handshake: a client with a certificate (RFC 8705 §2, `tls_client_auth`
 * and `self_signed_tls_client_auth`) sends `client_id` alone, as a public client does.
 */
export interface MockClient {
  clientId: string;
  /**
   * The secret the client sends with HTTP Basic or as `client_secret` (RFC 6749 §2.3.1).
   * @default unset (or ""): the client sends no secret: `client_id` alone (a public client, RFC
   * 6749 §2.1, or a TLS client certificate, RFC 8705 §2), or a client assertion with `assertion`
   */
  clientSecret?: string;
  /**
   * Set when the client authenticates with a client assertion (`private_key_jwt`, RFC 7523 §2.2):
   * the token endpoint then takes one, checked as {@link ClientAssertionExpectation} says.
   * @default unset: a client assertion is refused (the client has no key registered)
   */
  assertion?: ClientAssertionExpectation;
}
