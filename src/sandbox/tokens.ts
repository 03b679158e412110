import { randomBytes } from "node:crypto";

/** Who a token speaks for: the client, and the user unless it came from client credentials. */
export interface Principal {
  readonly clientId: string;
  readonly username?: string;
  readonly roles: readonly string[];
  /** The tenant the token acts in (a switch-tenant grant changes it). */
  readonly tenantId?: string;
  /** The user's own tenant, which bounds where a tenant-scoped user may act or switch to. */
  readonly homeTenantId?: string;
  readonly scope: string;
}

interface IssuedToken {
  readonly principal: Principal;
  readonly expiresAt: number;
}

export interface TokenGrantResult {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type AccessTokenCheck =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: "unknown" | "expired" };

export interface TokenRegistryOptions {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly clock: () => number;
  /** Live tokens kept per kind; the oldest are forgotten beyond it, so memory stays bounded. */
  readonly maxLiveTokens?: number;
}

/**
 * Access and refresh tokens, in memory. Tokens are opaque random strings that carry nothing
 * (never derived from a secret); what they mean lives here.
 *
 * Memory stays flat however many tokens a load test asks for: every TTL is the same within a
 * kind, so a Map's insertion order is also expiry order and pruning only looks at its head; past
 * `maxLiveTokens` the oldest live token is forgotten (its holder gets 401 and signs in again,
 * as after a server restart).
 */
export class TokenRegistry {
  readonly #access = new Map<string, IssuedToken>();
  readonly #refresh = new Map<string, IssuedToken>();
  readonly #options: Required<TokenRegistryOptions>;

  constructor(options: TokenRegistryOptions) {
    this.#options = { maxLiveTokens: 10_000, ...options };
  }

  get accessTokenTtlSeconds(): number {
    return this.#options.accessTokenTtlSeconds;
  }

  /** Issues an access token, and a refresh token unless `withRefreshToken` is false. */
  issue(principal: Principal, withRefreshToken: boolean): TokenGrantResult {
    const issuedAt = this.#options.clock();
    const expiresAt = issuedAt + this.#options.accessTokenTtlSeconds * 1000;
    const accessToken = newToken();
    this.#store(this.#access, accessToken, { principal, expiresAt }, issuedAt);
    if (!withRefreshToken) return { accessToken, issuedAt, expiresAt };
    const refreshToken = newToken();
    const refreshExpiresAt = issuedAt + this.#options.refreshTokenTtlSeconds * 1000;
    this.#store(this.#refresh, refreshToken, { principal, expiresAt: refreshExpiresAt }, issuedAt);
    return { accessToken, refreshToken, issuedAt, expiresAt };
  }

  /** Looks an access token up; expired ones are forgotten on the way. */
  checkAccessToken(token: string): AccessTokenCheck {
    const issued = this.#access.get(token);
    if (!issued) return { ok: false, reason: "unknown" };
    if (issued.expiresAt <= this.#options.clock()) {
      this.#access.delete(token);
      return { ok: false, reason: "expired" };
    }
    return { ok: true, principal: issued.principal };
  }

  /**
   * Redeems a refresh token for `clientId`. Refresh tokens rotate (RFC 9700 §4.14.2): a redeemed
   * token is forgotten, so replaying it fails. A token issued to another client is left alone.
   */
  redeemRefreshToken(token: string, clientId: string): Principal | undefined {
    const issued = this.#refresh.get(token);
    if (!issued || issued.principal.clientId !== clientId) return undefined;
    this.#refresh.delete(token);
    return issued.expiresAt > this.#options.clock() ? issued.principal : undefined;
  }

  /** Forgets every access token (and every refresh token unless `keepRefreshTokens`). */
  expireAll(options: { keepRefreshTokens?: boolean } = {}): void {
    this.#access.clear();
    if (!options.keepRefreshTokens) this.#refresh.clear();
  }

  /** How many tokens are held, for tests of the memory bound. */
  size(): { accessTokens: number; refreshTokens: number } {
    return { accessTokens: this.#access.size, refreshTokens: this.#refresh.size };
  }

  #store(map: Map<string, IssuedToken>, token: string, issued: IssuedToken, now: number): void {
    for (const [oldToken, old] of map) {
      if (old.expiresAt > now && map.size < this.#options.maxLiveTokens) break;
      map.delete(oldToken);
    }
    map.set(token, issued);
  }
}

/** 256 random bits, URL-safe: unguessable, and safe in any header or form. */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}
