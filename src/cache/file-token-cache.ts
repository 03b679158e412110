import { createTokenProvider } from "../auth/token-provider.js";
import type { TokenProviderOptions, TokenSet, TokenStore } from "../auth/types.js";
import { type AccountIdentity, accountKey, type CachedAccount } from "./accounts.js";
import {
  defaultTokenCachePath,
  FileTokenStore,
  type FileTokenStoreOptions,
} from "./file-token-store.js";

export interface FileTokenCacheOptions extends FileTokenStoreOptions {
  /**
   * The cache file. Its directory is created 0700 on first save.
   * @default `$XDG_CACHE_HOME/passgrant/tokens.json`, else `~/.cache/passgrant/tokens.json` (the
   * file `passgrant token --cache` uses)
   */
  path?: string;
}

/**
 * What silent acquisition needs besides the account: the client's credentials (never cached) and
 * the provider's usual settings. `tokenUrl`/`issuer`, `clientId` and `clientAuth` default to the
 * account's recorded ones; give them for an entry without an identity.
 */
export type SilentAcquisitionOptions = Omit<
  TokenProviderOptions,
  "grant" | "store" | "storeKey" | "tokenUrl" | "issuer" | "clientId" | "scope"
> &
  Partial<Pick<TokenProviderOptions, "tokenUrl" | "issuer" | "clientId">>;

/** A token cache in one file that knows which identities it holds. */
export interface FileTokenCache {
  readonly path: string;
  /** The underlying store (every identity's entry; keys from {@link FileTokenCache.forIdentity}). */
  readonly store: TokenStore;
  /**
   * The `store` and `storeKey` for `createTokenProvider` that keep `identity`'s token, recording
   * the identity with it so {@link FileTokenCache.accounts} lists it.
   */
  forIdentity(identity: AccountIdentity): { store: TokenStore; storeKey: string };
  /** Every cached token's account (MSAL's `get_accounts`): identity, expiry, refreshability. */
  accounts(): Promise<CachedAccount[]>;
  /**
   * The account's token without signing in (MSAL's `acquire_token_silent`): the cached one while
   * valid (no request), else renewed with its refresh token (RFC 6749 §6) and saved. Rejects with
   * `SignInRequiredError` when neither serves.
   */
  acquireTokenSilent(account: CachedAccount, options?: SilentAcquisitionOptions): Promise<TokenSet>;
}

/**
 * Opens the file token cache (nothing is read until first use). Same hardening as the CLI's
 * `--cache`: 0600 file in a 0700 directory, no links followed, ownership checked, atomic writes,
 * a cross-process lock, a 1 MiB cap; every failure a `CacheError`.
 */
export function createFileTokenCache(options: FileTokenCacheOptions = {}): FileTokenCache {
  const { path = defaultTokenCachePath(process.env), ...storeOptions } = options;
  const store = new FileTokenStore(path, storeOptions);
  return {
    path,
    store,
    forIdentity(identity) {
      const storeKey = accountKey(identity);
      store.identify(storeKey, identity);
      return { store, storeKey };
    },
    accounts: () => store.accounts(),
    async acquireTokenSilent(account, silentOptions = {}) {
      const identity = account.identity;
      const endpoint =
        silentOptions.tokenUrl !== undefined || silentOptions.issuer !== undefined
          ? {}
          : identity?.tokenUrl !== undefined
            ? { tokenUrl: identity.tokenUrl }
            : identity?.issuer !== undefined
              ? { issuer: identity.issuer }
              : {};
      const provider = createTokenProvider({
        ...endpoint,
        clientId: identity?.clientId ?? "",
        // The refresh must authenticate the client as the sign-in did (RFC 6749 §6).
        ...(identity?.clientAuth !== undefined ? { clientAuth: identity.clientAuth } : {}),
        ...silentOptions,
        grant: { type: "silent" },
        store,
        storeKey: account.key,
      });
      return provider.getToken();
    },
  };
}
