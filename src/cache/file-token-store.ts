import { AsyncLocalStorage } from "node:async_hooks";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { TokenSet, TokenStore } from "../auth/types.js";
import {
  type AccountIdentity,
  type CachedAccount,
  type CacheEntry,
  isJsonObject,
  listAccounts,
  readStoredAccount,
  readTokenSet,
  type StoredAccount,
  storedAccount,
} from "./accounts.js";
import { checkCacheDirectory, ensureCacheDirectory } from "./cache-directory.js";
import { CacheError } from "./cache-error.js";
import { readCacheFile, removeOrphanTemporaries, writeCacheFile } from "./cache-file.js";
import { acquireCacheLock, DEFAULT_LOCK_WAIT_MS, isProcessAlive } from "./cache-lock.js";

/** The default cache file: `$XDG_CACHE_HOME/passgrant/tokens.json`, else `~/.cache/passgrant/...`. */
export function defaultTokenCachePath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME?.trim() ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "passgrant", "tokens.json");
}

/**
 * How stale an entry's `lastUsedAt` may get before a cache hit records the use: a script calling
 * `passgrant token --cache` in a loop should not rewrite the file on every call.
 */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Whether a hit on `entry` should record its use (it has an account, used over a minute ago). */
function useIsDue(entry: unknown): boolean {
  const account = readStoredAccount(entry);
  return account !== undefined && Date.now() - (account.lastUsedAt ?? 0) >= LAST_USED_RESOLUTION_MS;
}

/**
 * The marker that makes a file passgrant's own cache. A file without it (and without the exact
 * shape passgrant 0.1 wrote) is someone else's, and passgrant refuses to overwrite it.
 */
export const TOKEN_CACHE_FORMAT = "passgrant-token-cache";
const CACHE_VERSION = 1;

type CacheFile = { entries: Record<string, unknown> };

/** The file's entries when `json` has the shape passgrant writes (the format marker optional, as 0.1 wrote none). */
function cacheEntries(json: unknown): Record<string, unknown> | undefined {
  if (!isJsonObject(json)) return undefined;
  if (json.format !== undefined && json.format !== TOKEN_CACHE_FORMAT) return undefined;
  if (json.version !== CACHE_VERSION || !isJsonObject(json.entries)) return undefined;
  return json.entries;
}

export interface FileTokenStoreOptions {
  /** Told when the lock was lost, the file was corrupt and replaced, or its mode was fixed. */
  onWarning?: (message: string) => void;
  /** Told of lock waits and takeovers (the CLI shows them with --verbose). */
  onDebug?: (message: string) => void;
  /**
   * The longest wait, in milliseconds, for the lock another live passgrant process holds (it is
   * running a token request); then the store fails with a `CacheError` ("locked"). A lock whose
   * holder died is taken over at once, without waiting.
   * @default 10_000
   */
  lockWaitMs?: number;
}

/**
 * A {@link TokenStore} in one JSON file, for scripts and CLI runs that should reuse a valid token.
 *
 * - Each entry records who its token belongs to (an {@link AccountIdentity}: token URL or issuer,
 *   client, user, grant, scope, profile; never a secret) and when it was last used, so
 *   {@link FileTokenStore.accounts} can list them. Entries written before that (no `account`)
 *   load as before and are listed without an identity. The file stays version 1: an older
 *   passgrant reads it and ignores the identities.
 * - The file is written 0600 in a 0700 directory: it holds bearer and refresh tokens. A directory
 *   or file owned by another user or writable by others is refused (a token could have been
 *   planted there); a file others can read is set to 0600 with a warning.
 * - The file is opened without following links or blocking, must be a regular file, and is read
 *   up to 1 MiB (`MAX_CACHE_FILE_BYTES`).
 * - Writes are atomic (a 0600 temporary file, fsync, rename), so a reader never sees half a file;
 *   temporary files left by a writer that died are removed.
 * - `withLock` is a cross-process lock (see `acquireCacheLock`), so concurrent invocations run one
 *   grant and never spend each other's one-time refresh token. The token provider runs grant or
 *   refresh and `save` inside it. Inside the lock the file is read once.
 * - A file that is not a passgrant cache is never overwritten; a corrupt passgrant cache is
 *   replaced on the next save, with one warning.
 * - An entry without an expiry is loaded as expired: its refresh token may be used, its access
 *   token is never reused.
 *
 * Every failure is a `CacheError` (code `ERR_CACHE`) saying what to do.
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  readonly #onWarning: (message: string) => void;
  readonly #onDebug: (message: string) => void;
  readonly #lockWaitMs: number;
  readonly #warned = new Set<string>();
  /** The file as read inside the current lock, so one lock reads (and warns) once. */
  #locked: CacheFile | undefined;
  /** Set inside this store's lock, so a nested withLock or save knows it already holds it. */
  readonly #holding = new AsyncLocalStorage<true>();
  /** Serialises this process's lock holders: the lock directory cannot tell them apart. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The identity each key's token belongs to, recorded with the token when it is saved. */
  readonly #identities = new Map<string, AccountIdentity>();

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = path;
    this.#onWarning = options.onWarning ?? (() => {});
    this.#onDebug = options.onDebug ?? (() => {});
    this.#lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  }

  /**
   * Records who `key`'s token belongs to: saved with it from now on, and listed by
   * {@link FileTokenStore.accounts}. Tokens that switch grants derive from it (keys
   * `<key>><target>`) are recorded as this identity switched to that target.
   */
  identify(key: string, identity: AccountIdentity): void {
    this.#identities.set(key, identity);
  }

  /** Every token entry of the file, with who it belongs to; never a secret. */
  async accounts(): Promise<CachedAccount[]> {
    return listAccounts((this.#locked ?? this.#read()).entries);
  }

  async load(key: string): Promise<TokenSet | undefined> {
    const file = this.#locked ?? this.#read();
    const token = readTokenSet(file.entries[key]);
    if (!token) return undefined;
    if (this.#locked) this.#recordUse(file, key);
    else if (useIsDue(file.entries[key])) await this.#recordUseUnlocked(key);
    // Never kept forever: without an expiry the access token counts as expired (refresh instead).
    return Number.isFinite(token.expiresAt) ? token : { ...token, expiresAt: 0 };
  }

  async save(key: string, token: TokenSet): Promise<void> {
    await this.#update((file) => {
      const account = this.#accountFor(key, file.entries[key]);
      const entry: CacheEntry = account ? { ...token, account } : token;
      file.entries[key] = entry;
    });
  }

  async clear(key: string): Promise<void> {
    await this.#update((file) => {
      delete file.entries[key];
    });
  }

  async withLock<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    if (this.#holding.getStore()) return fn(); // this call chain holds the lock already
    const run = this.#queue.then(() => this.#withFileLock(fn));
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Records the use of a hit read without the lock (a valid token needs none), under the lock
   * when it is free at once: a hit never waits for another process's renewal, nor fails, for it.
   */
  async #recordUseUnlocked(key: string): Promise<void> {
    try {
      await this.#withFileLock(async () => {
        if (this.#locked) this.#recordUse(this.#locked, key);
      }, 0);
    } catch (error) {
      this.#onDebug(`token cache: the use was not recorded (${(error as Error).message})`);
    }
  }

  async #withFileLock<T>(fn: () => Promise<T>, waitMs = this.#lockWaitMs): Promise<T> {
    ensureCacheDirectory(dirname(this.path), this.path);
    const lock = await acquireCacheLock(this.path, {
      waitMs,
      onDebug: this.#onDebug,
      onWarning: this.#warnOnce,
    });
    this.#onDebug(`token cache: lock taken after ${lock.waits} waits`);
    try {
      for (const file of removeOrphanTemporaries(this.path, isProcessAlive)) {
        this.#onDebug(`token cache: removed ${file}, left by a process that died while writing`);
      }
      this.#locked = this.#read();
      return await this.#holding.run(true, fn);
    } finally {
      this.#locked = undefined;
      lock.release();
    }
  }

  /** Read-modify-write, synchronously so no other work in this process interleaves with it. */
  async #update(change: (file: CacheFile) => void): Promise<void> {
    const apply = async () => {
      const file = this.#locked ?? this.#read();
      change(file);
      this.#write(file);
    };
    // Inside withLock this process already holds the file; otherwise take the lock for the write.
    if (this.#holding.getStore()) await apply();
    else await this.withLock("", apply);
  }

  /** The identity to save with `key`'s new token: recorded for it, its parent's, or kept. */
  #accountFor(key: string, previous: unknown): StoredAccount | undefined {
    const now = Date.now();
    const own = this.#identities.get(key);
    if (own) return storedAccount(own, now);
    const split = key.indexOf(">");
    const parent = split > 0 ? this.#identities.get(key.slice(0, split)) : undefined;
    if (parent) return storedAccount({ ...parent, switchedTo: key.slice(split + 1) }, now);
    const kept = readStoredAccount(previous);
    return kept ? { ...kept, lastUsedAt: now } : undefined;
  }

  /**
   * A cache hit inside the lock is a use: `lastUsedAt` is rewritten when older than
   * {@link LAST_USED_RESOLUTION_MS}. Best effort: a failed write never fails the load.
   */
  #recordUse(file: CacheFile, key: string): void {
    const entry = file.entries[key];
    const account = readStoredAccount(entry);
    if (!account || !useIsDue(entry)) return;
    const now = Date.now();
    try {
      file.entries[key] = { ...(entry as object), account: { ...account, lastUsedAt: now } };
      this.#write(file);
    } catch (error) {
      this.#onDebug(`token cache: could not record the use (${(error as Error).message})`);
    }
  }

  #read(): CacheFile {
    if (!checkCacheDirectory(dirname(this.path), this.path)) return { entries: {} };
    const exposed = () =>
      this.#warnOnce(
        `token cache ${this.path} was readable by other users; its mode is now 0600 ` +
          "(the tokens in it may have been read: revoke them if that matters)",
      );
    return readCacheFile(this.path, (text) => this.#parse(text), exposed) ?? { entries: {} };
  }

  #parse(text: string): CacheFile {
    if (text.trim() === "") return { entries: {} }; // nothing to lose: a file passgrant can fill
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (!text.includes(`"${TOKEN_CACHE_FORMAT}"`)) throw this.#foreign();
      this.#warnOnce(`token cache ${this.path} is corrupt; starting a new one`);
      return { entries: {} };
    }
    const entries = cacheEntries(json);
    if (entries) return { entries };
    const marked =
      typeof json === "object" &&
      json !== null &&
      "format" in json &&
      json.format === TOKEN_CACHE_FORMAT;
    if (!marked) throw this.#foreign();
    this.#warnOnce(`token cache ${this.path} is corrupt; starting a new one`);
    return { entries: {} };
  }

  #foreign(): CacheError {
    return new CacheError(
      "foreign",
      this.path,
      `${this.path} exists but is not a passgrant token cache, so passgrant will not overwrite it.`,
      { advice: "other-path" },
    );
  }

  #write(file: CacheFile): void {
    ensureCacheDirectory(dirname(this.path), this.path);
    const content = { format: TOKEN_CACHE_FORMAT, version: CACHE_VERSION, entries: file.entries };
    writeCacheFile(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }

  readonly #warnOnce = (message: string): void => {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#onWarning(message);
  };
}
