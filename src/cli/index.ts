// The CLI's reusable parts, for the package root: the on-disk token store (a TokenStore for any
// script that wants tokens shared across runs) and the documented exit codes.
export { CacheError, type CacheProblem } from "./cache-error.js";
export { MAX_CACHE_FILE_BYTES } from "./cache-file.js";
export { DEFAULT_LOCK_WAIT_MS } from "./cache-lock.js";
export { ExitCode } from "./exit-codes.js";
export {
  defaultTokenCachePath,
  FileTokenStore,
  type FileTokenStoreOptions,
  TOKEN_CACHE_FORMAT,
  tokenCacheKey,
} from "./token-cache.js";
