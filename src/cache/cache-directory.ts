import { accessSync, constants, mkdirSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { untrustedBecause } from "../private-file.js";
import { CacheError } from "./cache-error.js";

/**
 * Makes sure the cache's directory exists, is a directory, belongs to this user (or root) and is
 * writable by this user only; creates missing components with mode 0700. Throws a
 * {@link CacheError} naming the cause otherwise, before any lock is attempted (a lock attempt in an
 * unwritable place would otherwise be retried until the wait runs out).
 *
 * Missing components are created one at a time: Node's recursive `mkdirSync` never returns for a
 * path under /proc (it loops in native code, deaf to signals).
 */
export function ensureCacheDirectory(directory: string, cachePath: string): void {
  const missing: string[] = [];
  let current = resolve(directory);
  // Bounded by the number of path components: dirname() of the root is the root.
  for (;;) {
    const stats = statOrCode(current);
    if (typeof stats !== "string") {
      if (!stats.isDirectory()) throw notADirectory(current, cachePath);
      break;
    }
    if (stats === "ENOTDIR") {
      // Some ancestor is a file: name it, so the advice is concrete.
      let ancestor = dirname(current);
      while (ancestor !== dirname(ancestor) && statOrCode(ancestor) === "ENOTDIR") {
        ancestor = dirname(ancestor);
      }
      throw notADirectory(ancestor, cachePath);
    }
    if (stats !== "ENOENT" || current === dirname(current)) {
      throw unwritable(current, cachePath, stats);
    }
    missing.unshift(current);
    current = dirname(current);
  }
  for (const component of missing) {
    try {
      mkdirSync(component, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw unwritable(component, cachePath, code ?? String(error), error);
    }
  }
  checkCacheDirectory(directory, cachePath);
  try {
    accessSync(directory, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unwritable(directory, cachePath, (error as NodeJS.ErrnoException).code ?? "", error);
  }
}

/**
 * Checks an existing cache directory: a directory, this user's (or root's), writable by nobody
 * else. Returns false when it does not exist (nothing to read then).
 */
export function checkCacheDirectory(directory: string, cachePath: string): boolean {
  const stats = statOrCode(directory);
  if (stats === "ENOENT") return false;
  if (typeof stats === "string") throw unwritable(directory, cachePath, stats);
  if (!stats.isDirectory()) throw notADirectory(directory, cachePath);
  checkOwnerAndMode(stats, directory, cachePath, "directory");
  return true;
}

/**
 * Refuses a cache directory or file that someone else could have written a token into: owned by
 * another user, or writable by group or others. (A directory may also belong to root, which can
 * write anywhere anyway.) Without POSIX ownership (Windows) there is nothing to check.
 */
export function checkOwnerAndMode(
  stats: Stats,
  path: string,
  cachePath: string,
  kind: "directory" | "file",
): void {
  const untrusted = untrustedBecause(stats, kind === "directory");
  if (untrusted === undefined) return;
  if ("owner" in untrusted) {
    throw new CacheError(
      "unsafe",
      cachePath,
      `The token cache ${kind} ${path} belongs to another user (uid ${untrusted.owner}, you are ${untrusted.uid}): ` +
        "a token in it could have been planted, so passgrant will not use it.",
    );
  }
  const fix = kind === "directory" ? "chmod 700" : "chmod 600";
  throw new CacheError(
    "unsafe",
    cachePath,
    `The token cache ${kind} ${path} is writable by other users (mode ${untrusted.mode}): a token in it ` +
      `could have been planted, so passgrant will not use it. If it is yours, run \`${fix} ${path}\`; ` +
      "otherwise:",
  );
}

function statOrCode(path: string): Stats | string {
  try {
    return statSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function notADirectory(path: string, cachePath: string): CacheError {
  return new CacheError(
    "not-a-directory",
    cachePath,
    `The token cache ${cachePath} cannot be created: ${path} is a file, not a directory.`,
    { advice: "parent-directory" },
  );
}

function unwritable(path: string, cachePath: string, code: string, cause?: unknown): CacheError {
  return new CacheError(
    "unwritable",
    cachePath,
    `The token cache ${cachePath} cannot be used: the directory ${path} cannot be created or ` +
      `written (${code}).`,
    { cause },
  );
}
