import type { MsxOperationId } from "../spec/msx-operations.js";
import { errorFixture, oauthErrorFixture, tokenResponseFixture } from "./fixtures.js";
import type { ExpectOptions, MsxMock } from "./mock-msx.js";
import type { Schemas } from "./types.js";

/**
 * The failure stories a client of the platform has to survive, each as a few expectations on an
 * {@link MsxMock}. Every story registers the failure AND what a correct client does next, so the
 * mock's `verify()` fails when the client gives up, retries too often, or skips the recovery.
 */

type TenantOperationId = Exclude<MsxOperationId, "getAccessToken">;
type Success<K extends MsxOperationId> = Omit<ExpectOptions<K>, "status" | "body" | "times">;

/** What {@link expiredTokenThenRenewal} registered. */
export interface RenewalStory {
  /** The access token the renewal issues; the retried call must carry it. */
  renewedToken: string;
  /** The full token response of the renewal. */
  renewal: Schemas["AccessToken"];
}

/**
 * The access token expired on the server: `operationId` answers 401 (with
 * `WWW-Authenticate: Bearer error="invalid_token"`, RFC 6750 §3.1) once; then the client must get a
 * new token (with `renewWith` as `grant_type`, when given) and repeat the call with that new token,
 * which then succeeds. A retry with the old token, or no retry, is a violation.
 */
export function expiredTokenThenRenewal<K extends TenantOperationId>(
  msx: MsxMock,
  operationId: K,
  options: { renewWith?: string; retry?: Success<K> } = {},
): RenewalStory {
  const renewal = tokenResponseFixture();
  const renewedToken = renewal.access_token as string;
  msx.expect<TenantOperationId>(operationId, {
    status: 401,
    body: errorFixture(401, { message: "Access token expired" }),
  });
  msx.getAccessToken({
    body: renewal,
    ...(options.renewWith ? { match: { body: { grant_type: options.renewWith } } } : {}),
  });
  msx.expect(operationId, {
    ...options.retry,
    requireAccessToken: renewedToken,
  } as ExpectOptions<K>);
  return { renewedToken, renewal };
}

/**
 * The platform is rate limiting: `operationId` answers 429 with `Retry-After: retryAfterSeconds`
 * (RFC 9110 §10.2.3) `times` times, then succeeds. `retry` shapes the expected retry; `retry: false`
 * expects none.
 */
export function rateLimited<K extends MsxOperationId>(
  msx: MsxMock,
  operationId: K,
  options: { retryAfterSeconds?: number; times?: number; retry?: Success<K> | false } = {},
): void {
  msx.expect(operationId, {
    status: 429,
    body: errorFixture(429),
    headers: { "Retry-After": String(options.retryAfterSeconds ?? 1) },
    times: options.times ?? 1,
  } as ExpectOptions<K>);
  if (options.retry !== false) msx.expect(operationId, (options.retry ?? {}) as ExpectOptions<K>);
}

/**
 * The platform (or a gateway in front of it) fails: `operationId` answers `status` (default 503)
 * `times` times, then succeeds. `retry: false` expects no retry (e.g. for a non-idempotent
 * create, which a client must not repeat blindly).
 */
export function serverError<K extends MsxOperationId>(
  msx: MsxMock,
  operationId: K,
  options: {
    status?: 500 | 502 | 503 | 504;
    times?: number;
    retryAfterSeconds?: number;
    retry?: Success<K> | false;
  } = {},
): void {
  const status = options.status ?? 503;
  msx.expect(operationId, {
    status,
    body: errorFixture(status),
    times: options.times ?? 1,
    ...(options.retryAfterSeconds === undefined
      ? {}
      : { headers: { "Retry-After": String(options.retryAfterSeconds) } }),
  } as ExpectOptions<K>);
  if (options.retry !== false) msx.expect(operationId, (options.retry ?? {}) as ExpectOptions<K>);
}

/**
 * `operationId` answers only after `delayMs` (nock's delay, on the fake clock if the test installs
 * one), to exercise the client's timeout. The reply itself is the usual one, or `options`.
 */
export function slowResponse<K extends MsxOperationId>(
  msx: MsxMock,
  operationId: K,
  delayMs: number,
  options: ExpectOptions<K> = {} as ExpectOptions<K>,
): void {
  msx.expect(operationId, { ...options, delayMs });
}

/**
 * The refresh token is no longer accepted: a `refresh_token` grant answers 400 `invalid_grant`
 * (RFC 6749 §5.2); a correct client then falls back to its original grant (`fallbackGrant`,
 * default `password`), which succeeds. Pass `fallbackGrant: false` to expect no fallback.
 */
export function invalidGrantOnRefresh(
  msx: MsxMock,
  options: { fallbackGrant?: string | false; description?: string } = {},
): { fallback: Schemas["AccessToken"] | undefined } {
  msx.getAccessToken({
    status: 400,
    body: oauthErrorFixture("invalid_grant", options.description ?? "Invalid refresh token"),
    match: { body: { grant_type: "refresh_token" } },
  });
  const fallbackGrant = options.fallbackGrant ?? "password";
  if (fallbackGrant === false) return { fallback: undefined };
  const fallback = tokenResponseFixture();
  msx.getAccessToken({ body: fallback, match: { body: { grant_type: fallbackGrant } } });
  return { fallback };
}
