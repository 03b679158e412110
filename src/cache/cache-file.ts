import { fchmodSync, lstatSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FileRefusal, readRegularFile, writePrivateFile } from "../private-file.js";
import { checkOwnerAndMode } from "./cache-directory.js";
import { CacheError } from "./cache-error.js";

/**
 * The largest cache file passgrant reads: 1 MiB holds thousands of entries. Anything larger was
 * not written by passgrant (a device such as /dev/zero would otherwise be read forever).
 */
export const MAX_CACHE_FILE_BYTES = 1024 * 1024;

/** A temporary file this old is an orphan whoever holds its pid now: a write takes milliseconds. */
const ORPHAN_AGE_MS = 60_000;

/**
 * Reads the cache file and hands its text to `parse`, or returns `undefined` when there is none.
 * Never follows a symbolic link and never blocks in `open()` (O_NOFOLLOW | O_NONBLOCK: a FIFO
 * would wait for a writer forever); requires a regular file (checked on the open descriptor, so
 * nothing can be swapped in between), owned by this user and writable by nobody else; reads at
 * most {@link MAX_CACHE_FILE_BYTES}. When `parse` accepts the text (it throws for a file that is
 * not a cache) and others could read the file, the file is set to 0600 and `onExposed` is told.
 */
export function readCacheFile<T>(
  path: string,
  parse: (text: string) => T,
  onExposed: () => void,
): T | undefined {
  try {
    return readRegularFile(path, {
      maxBytes: MAX_CACHE_FILE_BYTES,
      followLinks: false,
      check: (stats) => checkOwnerAndMode(stats, path, path, "file"),
      use: (text, stats, fd) => {
        const value = parse(text);
        if ((stats.mode & 0o044) !== 0) {
          fchmodSync(fd, 0o600);
          onExposed();
        }
        return value;
      },
    });
  } catch (error) {
    if (error instanceof CacheError) throw error;
    if (error instanceof FileRefusal && error.problem === "link") {
      throw notARegularFile(path, "a symbolic link");
    }
    if (error instanceof FileRefusal && error.problem === "not-a-file") {
      throw notARegularFile(path, error.detail);
    }
    if (error instanceof FileRefusal && error.problem === "too-large") throw tooLarge(path);
    throw ioError(path, "read", error);
  }
}

/**
 * Replaces the cache file atomically ({@link writePrivateFile}): a reader never sees half a file,
 * and the cache is 0600 whatever mode the file it replaces had.
 */
export function writeCacheFile(path: string, text: string): void {
  try {
    writePrivateFile(path, text);
  } catch (error) {
    throw ioError(path, "write", error);
  }
}

/**
 * Removes the temporary files of writers that died before renaming them (they hold tokens).
 * Called with the lock held: no live process is writing then, so only a live process other than
 * this one keeps its files (its lock was taken over; it will fail its rename or clean up).
 */
export function removeOrphanTemporaries(path: string, isAlive: (pid: number) => boolean): string[] {
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.(?:\d+\.)?tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    const file = join(dirname(path), name);
    try {
      const stats = lstatSync(file);
      if (process.getuid !== undefined && stats.uid !== process.getuid()) continue;
      // An old file is an orphan even if its pid now names an unrelated process (pid reuse).
      const old = Date.now() - stats.mtimeMs > ORPHAN_AGE_MS;
      if (pid !== process.pid && isAlive(pid) && !old) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to do.
    }
  }
  return removed;
}

function notARegularFile(path: string, what: string): CacheError {
  return new CacheError(
    "not-a-file",
    path,
    `The token cache ${path} is ${what}, not a regular file: passgrant only reads a cache file it ` +
      "wrote, and never follows links.",
  );
}

function tooLarge(path: string): CacheError {
  return new CacheError(
    "too-large",
    path,
    `The token cache ${path} is larger than ${MAX_CACHE_FILE_BYTES} bytes, so passgrant did not ` +
      "write it and will not read or overwrite it.",
  );
}

function ioError(path: string, action: "read" | "write", error: unknown): CacheError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new CacheError(
    "io",
    path,
    `The token cache ${path} could not be ${action === "read" ? "read" : "written"} (${code}).`,
    { cause: error },
  );
}
