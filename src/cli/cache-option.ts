import type { TokenStore } from "../auth/types.js";
import type { PlatformConfig } from "../config/index.js";
import { UsageError } from "./args.js";
import type { Logger } from "./logger.js";
import { defaultTokenCachePath, FileTokenStore, tokenCacheKey } from "./token-cache.js";

/** The on-disk store and key for `--cache`, or nothing when caching is off. */
export function cacheFor(
  command: string,
  values: { cache?: boolean | undefined; "cache-file"?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  config: PlatformConfig,
  grant: string,
  log: Logger,
): { store: TokenStore; storeKey: string } | undefined {
  if (!values.cache) {
    if (values["cache-file"] !== undefined) {
      throw new UsageError("--cache-file only applies with --cache.", command);
    }
    return undefined;
  }
  const path = values["cache-file"] ?? defaultTokenCachePath(env);
  log.debug(`token cache: ${path}`);
  return {
    store: new FileTokenStore(path, {
      onWarning: (message) => log.warn(message),
      onDebug: (message) => log.debug(message),
    }),
    storeKey: tokenCacheKey({
      tokenUrl: config.tokenUrl ?? `issuer ${config.issuer}`,
      clientId: config.clientId,
      username: grant === "client_credentials" ? undefined : config.username,
      grant,
      scope: config.scope,
    }),
  };
}
