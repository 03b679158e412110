import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { isClientAuthMethod } from "../auth/client-auth.js";
import type { ClientAuthMethod, TokenSet } from "../auth/types.js";
import { dropUndefined } from "../drop-undefined.js";
import { redactUrl } from "../redact.js";

/**
 * Who a cached token belongs to: what identifies the account, never a secret (no password, client
 * secret or token). Recorded with each token the cache saves, so the cache can say which
 * identities it holds (as MSAL's `get_accounts` does).
 */
export interface AccountIdentity {
  /** The token endpoint the token came from (stored redacted). One of `tokenUrl` and `issuer`. */
  tokenUrl?: string;
  /** The issuer whose metadata named the token endpoint, when no `tokenUrl` was configured. */
  issuer?: string;
  clientId: string;
  /**
   * How the client authenticated (`basic`, `private_key_jwt`, `tls_client_auth`, …): the method,
   * never its credential. Silent acquisition uses it unless told another. Absent for an entry
   * written before passgrant recorded it.
   */
  clientAuth?: ClientAuthMethod;
  /** The signed-in user; absent for client credentials (the client is the identity). */
  username?: string;
  /** The grant that obtained the token: `password`, `client_credentials`, `device_code`, … */
  grant: string;
  /** The scopes requested, space-separated. */
  scope?: string;
  /** The CLI profile that obtained it, when there was one. */
  profile?: string;
  /**
   * For a token a switch grant derived from this identity's: `tenant:<id>`,
   * `tenant-name:<name>` or `user:<name>`.
   */
  switchedTo?: string;
}

/** One entry of the cache, as {@link FileTokenCache.accounts} lists it. Never holds a secret. */
export interface CachedAccount {
  /** The entry's key in the cache (a hash; `storeKey` for `createTokenProvider`). */
  key: string;
  /**
   * Who it belongs to; absent for an entry written before passgrant recorded identities
   * (an "unknown identity": its token still works where the same configuration asks for it).
   */
  identity?: AccountIdentity;
  /** Epoch milliseconds; absent when the server sent no lifetime (then treated as expired). */
  expiresAt?: number;
  /** Whether a refresh token is held, so an expired token can be renewed without a sign-in. */
  hasRefreshToken: boolean;
  /** Epoch milliseconds: when passgrant last stored or handed out this token (to the minute). */
  lastUsedAt?: number;
}

/** How the entry's identity is kept in the file, beside the token. */
export interface StoredAccount extends AccountIdentity {
  lastUsedAt?: number;
}

/**
 * The members a shape keeps, each with its type; `?` marks an optional one. Checked by hand, not
 * with a schema library: `passgrant token --cache` reads the file on every run, and loading one
 * (zod) cost more than the rest of that run.
 */
type Shape = Readonly<Record<string, "string" | "string?" | "number?" | "object">>;

const identityShape = {
  tokenUrl: "string?",
  issuer: "string?",
  clientId: "string",
  clientAuth: "string?",
  username: "string?",
  grant: "string",
  scope: "string?",
  profile: "string?",
  switchedTo: "string?",
} as const satisfies Shape;
const storedAccountShape = { ...identityShape, lastUsedAt: "number?" } as const satisfies Shape;
const tokenSetShape = {
  accessToken: "string",
  tokenType: "string",
  expiresAt: "number?",
  refreshToken: "string?",
  scope: "string?",
  raw: "object",
} as const satisfies Shape;

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value`'s members named in `shape` when each has its type, else undefined; others are dropped. */
function pick(value: unknown, shape: Shape): Record<string, unknown> | undefined {
  if (!isJsonObject(value)) return undefined;
  const picked: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(shape)) {
    const member = value[name];
    if (member === undefined && type.endsWith("?")) continue;
    const ok =
      type === "object"
        ? isJsonObject(member)
        : type.startsWith("number")
          ? typeof member === "number" && Number.isFinite(member)
          : typeof member === "string";
    if (!ok) return undefined;
    picked[name] = member;
  }
  return picked;
}

/** A cache entry's token set (its known members only), or undefined when it is not one. */
export function readTokenSet(entry: unknown): TokenSet | undefined {
  return pick(entry, tokenSetShape) as TokenSet | undefined;
}

/** An entry of the file: the token set, and (since accounts were recorded) who it belongs to. */
export type CacheEntry = TokenSet & { account?: StoredAccount };

/**
 * The cache key for one identity: token URL (or issuer), client, user, grant and scope, hashed so
 * the file's keys name no account and hold no secret. The profile is not part of it: two profiles
 * naming the same identity share its token.
 */
export function tokenCacheKey(parts: {
  tokenUrl: string;
  clientId: string;
  username?: string | undefined;
  grant: string;
  scope?: string | undefined;
}): string {
  const identity = JSON.stringify([
    parts.tokenUrl,
    parts.clientId,
    parts.username ?? "",
    parts.grant,
    parts.scope ?? "",
  ]);
  // SHA-256 in JavaScript (@noble/hashes), not node:crypto: loading node:crypto (and the streams
  // it brings) was about 4 ms of `passgrant token --cache`, a tenth of all it does beyond Node's
  // own start. The bundles swap noble's WebCrypto lookup out (scripts/noble-without-webcrypto.mjs).
  return bytesToHex(sha256(utf8ToBytes(identity))).slice(0, 32);
}

/** The key of `identity`'s entry (the same key `passgrant token --cache` has always used). */
export function accountKey(identity: AccountIdentity): string {
  return tokenCacheKey({
    tokenUrl: identity.tokenUrl ?? `issuer ${identity.issuer}`,
    clientId: identity.clientId,
    username: identity.username,
    grant: identity.grant,
    scope: identity.scope,
  });
}

/** What is written beside the token: the identity with its URLs redacted, and when. */
export function storedAccount(identity: AccountIdentity, lastUsedAt: number): StoredAccount {
  return dropUndefined({
    ...identity,
    tokenUrl: identity.tokenUrl === undefined ? undefined : redactUrl(identity.tokenUrl),
    issuer: identity.issuer === undefined ? undefined : redactUrl(identity.issuer),
    lastUsedAt,
  }) as StoredAccount;
}

/** The entry's recorded account, or undefined for an entry without one (or one unreadable). */
export function readStoredAccount(entry: unknown): StoredAccount | undefined {
  if (typeof entry !== "object" || entry === null || !("account" in entry)) return undefined;
  const account = pick(entry.account, storedAccountShape);
  // A method this passgrant does not know (a newer one's, or an edited file) is left out: the
  // listing and silent acquisition only ever see one they can use.
  if (account && !isClientAuthMethod(account.clientAuth)) delete account.clientAuth;
  return account as StoredAccount | undefined;
}

/** The listing of the file's entries: token entries only, secrets left out by construction. */
export function listAccounts(entries: Readonly<Record<string, unknown>>): CachedAccount[] {
  const accounts: CachedAccount[] = [];
  for (const [key, entry] of Object.entries(entries)) {
    const token = readTokenSet(entry);
    if (!token) continue; // not a token entry: nothing to list
    const stored = readStoredAccount(entry);
    const { lastUsedAt, ...identity } = stored ?? {};
    accounts.push(
      dropUndefined({
        key,
        identity: stored ? (identity as AccountIdentity) : undefined,
        expiresAt: token.expiresAt,
        hasRefreshToken: typeof token.refreshToken === "string" && token.refreshToken !== "",
        lastUsedAt,
      }) as CachedAccount,
    );
  }
  return accounts;
}
