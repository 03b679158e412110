import { PassgrantError } from "../errors.js";

/** What was wrong with the token cache, so scripts and tests can tell the causes apart. */
export type CacheProblem =
  /** The cache's directory could not be created or written (permissions, read-only, /proc). */
  | "unwritable"
  /** A component of the cache's path is a file (or something else) where a directory must be. */
  | "not-a-directory"
  /** The cache's directory or file is writable by others or owned by another user. */
  | "unsafe"
  /** The cache path is a symbolic link, a FIFO, a device or a directory: not a regular file. */
  | "not-a-file"
  /** The cache file is larger than passgrant's cap: not a cache passgrant wrote. */
  | "too-large"
  /** The cache file exists but is not a passgrant token cache; passgrant will not overwrite it. */
  | "foreign"
  /** Another live passgrant process held the lock for the whole bounded wait. */
  | "locked"
  /** Reading or writing failed for another reason (disk full, I/O error). */
  | "io";

/**
 * The on-disk token cache cannot be used (exit code 6 in the CLI). The message names the path,
 * the cause, and what to do; `problem` is the stable machine-readable cause.
 */
export class CacheError extends PassgrantError {
  readonly path: string;
  readonly problem: CacheProblem;

  constructor(problem: CacheProblem, path: string, message: string, options?: { cause?: unknown }) {
    super("ERR_CACHE", message, options);
    this.problem = problem;
    this.path = path;
  }
}
