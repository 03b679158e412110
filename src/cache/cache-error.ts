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
 * The ways out of a cache that cannot be used, in the library's words (the cache's `path`). Every
 * {@link CacheError} message ends with one of them; the CLI says the same in its flags
 * (`--cache`, `--cache-file`), keyed by {@link CacheError.advice}.
 */
export const CACHE_ADVICE = {
  /** The common case: the location cannot be trusted or written. */
  elsewhere: "Use no file cache, or a cache `path` in a directory only you can write.",
  /** The path names a file passgrant did not write. */
  "other-path": "Use another cache `path`, or remove that file if you no longer need it.",
  /** A component of the path is a file. */
  "parent-directory": "Use a cache `path` whose parent is a directory, or no file cache.",
  /** The lock beside the cache is not one passgrant made. */
  "remove-lock": "Remove it, or use another cache `path`.",
} as const;

export type CacheAdvice = keyof typeof CACHE_ADVICE;

/**
 * The on-disk token cache cannot be used (exit code 6 in the CLI). The message names the path,
 * the cause, and what to do; `problem` is the stable machine-readable cause.
 */
export class CacheError extends PassgrantError {
  readonly path: string;
  readonly problem: CacheProblem;
  /** Which of {@link CACHE_ADVICE} the message ends with. */
  readonly advice: CacheAdvice;

  constructor(
    problem: CacheProblem,
    path: string,
    message: string,
    options?: { cause?: unknown; advice?: CacheAdvice },
  ) {
    const advice = options?.advice ?? "elsewhere";
    super("ERR_CACHE", `${message} ${CACHE_ADVICE[advice]}`, options);
    this.problem = problem;
    this.path = path;
    this.advice = advice;
  }
}
