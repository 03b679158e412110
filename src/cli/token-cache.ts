import { createHash } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import lockfile from "proper-lockfile";
import { z } from "zod";
import type { TokenSet, TokenStore } from "../auth/index.js";
import { dropUndefined } from "../drop-undefined.js";
import { PassgrantError } from "../errors.js";

/** The default cache file: `$XDG_CACHE_HOME/passgrant/tokens.json`, else `~/.cache/passgrant/...`. */
export function defaultTokenCachePath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME?.trim() ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "passgrant", "tokens.json");
}

/**
 * The cache key for one identity: token URL, client, user and grant, hashed so the file names
 * no account and holds no secret in its keys. Secrets never go into the key.
 */
export function tokenCacheKey(parts: {
  tokenUrl: string;
  clientId: string;
  username?: string | undefined;
  grant: string;
  scope?: string | undefined;
}): string {
  const identity = JSON.stringify([
    parts.tokenUrl,
    parts.clientId,
    parts.username ?? "",
    parts.grant,
    parts.scope ?? "",
  ]);
  return createHash("sha256").update(identity).digest("hex").slice(0, 32);
}

const tokenSetSchema = z.object({
  accessToken: z.string(),
  tokenType: z.string(),
  expiresAt: z.number().optional(),
  refreshToken: z.string().optional(),
  scope: z.string().optional(),
  raw: z.record(z.string(), z.unknown()),
});
const cacheFileSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.unknown()),
});
type CacheFile = z.infer<typeof cacheFileSchema>;

export interface FileTokenStoreOptions {
  /** Told when the lock was lost (another process judged it stale) or the file was unreadable. */
  onWarning?: (message: string) => void;
  /** How often to retry a lock another live process holds before giving up. Default 1000 (~100 s). */
  lockRetries?: number;
}

/**
 * A {@link TokenStore} in one JSON file, for CLI runs that should reuse a valid token.
 *
 * - The file is created with mode 0600 in a 0700 directory: it holds bearer and refresh tokens.
 * - Writes are atomic (write a temporary file, fsync, rename), so a reader never sees half a file.
 * - `withLock` is a cross-process lock (proper-lockfile: an atomic `mkdir` plus mtime heartbeats,
 *   taken over when stale), so concurrent invocations run one grant and never spend each other's
 *   one-time refresh token. The token provider runs grant or refresh and `save` inside it.
 * - An unreadable or corrupt file is treated as empty (and replaced on the next save).
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  readonly #onWarning: (message: string) => void;
  readonly #lockRetries: number;
  #lockDepth = 0;

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = path;
    this.#onWarning = options.onWarning ?? (() => {});
    this.#lockRetries = options.lockRetries ?? 1_000;
  }

  async load(key: string): Promise<TokenSet | undefined> {
    const entry = this.#read().entries[key];
    const parsed = tokenSetSchema.safeParse(entry);
    return parsed.success ? (dropUndefined(parsed.data) as TokenSet) : undefined;
  }

  async save(key: string, token: TokenSet): Promise<void> {
    await this.#update((file) => {
      file.entries[key] = token;
    });
  }

  async clear(key: string): Promise<void> {
    await this.#update((file) => {
      delete file.entries[key];
    });
  }

  async withLock<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    this.#ensureDirectory();
    const release = await lockfile
      .lock(this.path, {
        lockfilePath: `${this.path}.lock`,
        realpath: false,
        stale: 15_000,
        // Long enough to wait out another process's token request (bounded by its timeout).
        retries: { retries: this.#lockRetries, minTimeout: 20, maxTimeout: 100, factor: 1.3 },
        onCompromised: (error) =>
          this.#onWarning(`token cache lock lost (${error.message}); another process took it over`),
      })
      .catch((error: unknown) => {
        throw cacheLockError(this.path, error);
      });
    this.#lockDepth += 1;
    try {
      return await fn();
    } finally {
      this.#lockDepth -= 1;
      await release().catch(() => {});
    }
  }

  /** Read-modify-write, synchronously so no other work in this process interleaves with it. */
  async #update(change: (file: CacheFile) => void): Promise<void> {
    const apply = async () => {
      const file = this.#read();
      change(file);
      this.#write(file);
    };
    // Inside withLock this process already holds the file; otherwise take the lock for the write.
    if (this.#lockDepth > 0) await apply();
    else await this.withLock("", apply);
  }

  #read(): CacheFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        this.#onWarning(
          `token cache ${this.path} is unreadable (${(error as Error).message}); ignoring it`,
        );
      }
      return { version: 1, entries: {} };
    }
    try {
      const parsed = cacheFileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: corrupt JSON
    }
    this.#onWarning(`token cache ${this.path} is corrupt; starting a new one`);
    return { version: 1, entries: {} };
  }

  #write(file: CacheFile): void {
    this.#ensureDirectory();
    const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(temporary, "wx", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  #ensureDirectory(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
  }
}

/**
 * The lock could not be had: another live process has held it for the whole wait (a crashed
 * holder's lock goes stale and is taken over), or the cache directory is not writable.
 */
function cacheLockError(path: string, error: unknown): PassgrantError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason =
    code === "ELOCKED"
      ? "another passgrant process has held its lock for too long"
      : `its lock could not be created (${String(code ?? error)})`;
  return new PassgrantError(
    "ERR_CACHE",
    `The token cache ${path} cannot be used: ${reason}. Check for a hung passgrant process, ` +
      "run without --cache, or point --cache-file at another path.",
    { cause: error },
  );
}
