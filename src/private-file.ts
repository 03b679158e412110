import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Why {@link readRegularFile} would not read a file. Callers turn it into their own typed error
 * (the token cache's `CacheError`, the config file's `ConfigError`), worded for their file.
 */
export class FileRefusal extends Error {
  constructor(
    readonly path: string,
    readonly problem: "link" | "not-a-file" | "too-large" | "io",
    /** For `not-a-file`, what it is ("a FIFO (named pipe)"); for `io`, the system error code. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem} (${detail})`, options);
    this.name = "FileRefusal";
  }
}

export interface ReadRegularFileOptions<T> {
  /** The most bytes read: a device such as /dev/zero would otherwise be read forever. */
  maxBytes: number;
  /** False: a symbolic link is refused (O_NOFOLLOW), never followed. */
  followLinks: boolean;
  /** Checks the open file before it is read (owner, mode); throws to refuse it. */
  check?: (stats: Stats) => void;
  /** Turns the text into the result, with the descriptor still open (to `fchmod` it). */
  use: (text: string, stats: Stats, fd: number) => T;
}

/**
 * Reads a file someone else may have put in the way, or `undefined` when there is none. Never
 * blocks in `open()` (O_NONBLOCK: a FIFO would wait for a writer forever); requires a regular
 * file, checked on the open descriptor so nothing can be swapped in between; reads at most
 * `maxBytes`. Errors thrown by `check` and `use` pass through as they are; the file's own
 * problems are {@link FileRefusal}s.
 */
export function readRegularFile<T>(
  path: string,
  options: ReadRegularFileOptions<T>,
): T | undefined {
  let fd: number;
  try {
    const noFollow = options.followLinks ? 0 : constants.O_NOFOLLOW;
    fd = openSync(path, constants.O_RDONLY | noFollow | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP" && !options.followLinks) {
      throw new FileRefusal(path, "link", "a symbolic link", { cause: error });
    }
    throw new FileRefusal(path, "io", code ?? String(error), { cause: error });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileRefusal(path, "not-a-file", describeType(stats));
    options.check?.(stats);
    if (stats.size > options.maxBytes) throw tooLarge(path, options.maxBytes);
    return options.use(readCapped(fd, path, options.maxBytes), stats, fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a file the user named (a key, a token, a request body): through {@link readRegularFile},
 * links followed (mounted secrets use them), at most `maxBytes`. Each way it cannot be read goes
 * to `refuse`, which words the error for its option; `detail` says what the path is ("a FIFO
 * (named pipe)") or the system error code. No message quotes the content.
 */
export function readNamedFile(
  path: string,
  maxBytes: number,
  refuse: (problem: "missing" | "not-a-file" | "too-large" | "io", detail: string) => Error,
): string {
  let text: string | undefined;
  try {
    text = readRegularFile(path, { maxBytes, followLinks: true, use: (content) => content });
  } catch (error) {
    if (!(error instanceof FileRefusal)) throw error;
    throw refuse(error.problem === "link" ? "io" : error.problem, error.detail);
  }
  if (text === undefined) throw refuse("missing", "ENOENT");
  return text;
}

/**
 * Replaces `path` atomically with a file only this user can read: a temporary file created 0600
 * (exclusive, never through a link) is written, synced and renamed over it, so a reader never
 * sees half a file and the result is 0600 whatever mode the file it replaces had. Throws the
 * system error as it is, the temporary file removed.
 */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `directory` and its missing parents with mode 0700, one component at a time (Node's
 * recursive mkdir never returns for a path under /proc); an existing one is left as it is. Throws
 * the system error as it is (ENOTDIR when a component is a file, EACCES, EROFS).
 */
export function makePrivateDirectory(directory: string): void {
  const missing: string[] = [];
  // Bounded by the number of path components: dirname() of the root is the root.
  for (let current = resolve(directory); ; current = dirname(current)) {
    try {
      if (statSync(current).isDirectory()) break;
      throw Object.assign(new Error(`${current} is not a directory`), { code: "ENOTDIR" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || current === dirname(current)) {
        throw error;
      }
      missing.unshift(current);
    }
  }
  for (const component of missing) {
    try {
      mkdirSync(component, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * What makes a file untrustworthy: another owner than this user (or root, when `rootMayOwn`), or
 * write permission for group or others; undefined when it is fine. Without POSIX ownership
 * (Windows) there is nothing to check.
 */
export function untrustedBecause(
  stats: Stats,
  rootMayOwn: boolean,
): { owner: number; uid: number } | { mode: string } | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  if (stats.uid !== uid && !(rootMayOwn && stats.uid === 0)) return { owner: stats.uid, uid };
  if ((stats.mode & 0o022) !== 0)
    return { mode: (stats.mode & 0o777).toString(8).padStart(4, "0") };
  return undefined;
}

function readCapped(fd: number, path: string, maxBytes: number): string {
  const buffer = Buffer.alloc(64 * 1024);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) break;
    total += read;
    if (total > maxBytes) throw tooLarge(path, maxBytes);
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(path: string, maxBytes: number): FileRefusal {
  return new FileRefusal(path, "too-large", `over ${maxBytes} bytes`);
}

function describeType(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}
