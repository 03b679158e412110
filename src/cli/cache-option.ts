import type { TokenStore } from "../auth/types.js";
import type { AccountIdentity } from "../cache/accounts.js";
import { createFileTokenCache } from "../cache/file-token-cache.js";
import { defaultTokenCachePath } from "../cache/file-token-store.js";
import type { PlatformConfig } from "../config/index.js";
import { UsageError } from "./args.js";
import type { Logger } from "./logger.js";

/** The cache file `--cache` uses: `--cache-file`, else the default under `XDG_CACHE_HOME`. */
export function cachePathFor(
  values: { "cache-file"?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): string {
  return values["cache-file"] ?? defaultTokenCachePath(env);
}

/** The library's file cache with the CLI's logger for its warnings and --verbose lines. */
export function openFileCache(path: string, log: Logger) {
  log.debug(`token cache: ${path}`);
  return createFileTokenCache({
    path,
    onWarning: (message) => log.warn(message),
    onDebug: (message) => log.debug(message),
  });
}

/**
 * The configured identity as the cache records it (never a secret). The profile is the one the
 * configuration came from, when there is one.
 */
export function cachedIdentity(
  config: PlatformConfig,
  grant: string,
  profile?: string | undefined,
): AccountIdentity {
  return {
    // The configuration names one of them (it refuses neither).
    ...(config.tokenUrl !== undefined
      ? { tokenUrl: config.tokenUrl }
      : { issuer: `${config.issuer}` }),
    clientId: config.clientId,
    clientAuth: config.clientAuth,
    ...(grant === "client_credentials" || config.username === undefined
      ? {}
      : { username: config.username }),
    grant,
    ...(config.scope !== undefined ? { scope: config.scope } : {}),
    ...(profile !== undefined ? { profile } : {}),
  };
}

/**
 * The on-disk store and key for `--cache`, or nothing when caching is off. `profile` (the run's
 * config-file profile) is recorded with the token, not part of its key.
 */
export function cacheFor(
  command: string,
  values: { cache?: boolean | undefined; "cache-file"?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  config: PlatformConfig,
  grant: string,
  log: Logger,
  profile?: string | undefined,
): { store: TokenStore; storeKey: string } | undefined {
  if (!values.cache) {
    if (values["cache-file"] !== undefined) {
      throw new UsageError("--cache-file only applies with --cache.", command);
    }
    return undefined;
  }
  return openFileCache(cachePathFor(values, env), log).forIdentity(
    cachedIdentity(config, grant, profile),
  );
}
