// The CLI's reusable parts, for the package root: the on-disk token store (a TokenStore for any
// script that wants tokens shared across runs) and the documented exit codes.
export { ExitCode } from "./exit-codes.js";
export {
  defaultTokenCachePath,
  FileTokenStore,
  type FileTokenStoreOptions,
  tokenCacheKey,
} from "./token-cache.js";
