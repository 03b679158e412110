import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { nodeCrypto } from "../lazy-builtins.js";
import { CacheError } from "./cache-error.js";

/** How long to wait, at most, for a lock another live process holds. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;
/** How often a holder touches its lock to show it is alive. */
const HEARTBEAT_MS = 1_000;
/**
 * A lock untouched this long is abandoned even if its pid is alive (pid reuse, a holder on another
 * host sharing the directory, a lock from passgrant 0.1 without an owner record).
 */
const STALE_MS = 8_000;
/** Takeovers and vanished locks retried at once in one acquisition, before waiting instead. */
const MAX_IMMEDIATE_RETRIES = 5;

interface Owner {
  pid: number;
  /** Where `pid` means something: the host name and, on Linux, the pid namespace. */
  host: string;
  nonce: string;
}

let scope: string | undefined;
/**
 * The host and pid namespace this process runs in: a pid from another machine sharing the
 * directory, or from another container with the same host name, says nothing about liveness here.
 */
function processScope(): string {
  if (scope === undefined) {
    let namespace = "";
    try {
      namespace = readlinkSync("/proc/self/ns/pid");
    } catch {
      // Not Linux: the host name alone.
    }
    scope = namespace ? `${hostname()} ${namespace}` : hostname();
  }
  return scope;
}

export interface CacheLockOptions {
  /** Longest wait for a lock another live process holds. */
  waitMs: number;
  /** Progress for --verbose: waits, takeovers. */
  onDebug: (message: string) => void;
  /** The lock was taken over by another process while held. */
  onWarning: (message: string) => void;
}

export interface HeldCacheLock {
  /** How many times this acquisition waited for another process (0: taken at once). */
  readonly waits: number;
  release(): void;
}

/**
 * A cross-process lock beside the cache file: the directory `<cache>.lock` (mkdir is atomic)
 * holding an `owner` record (pid, host). A lock whose holder is dead (same host and pid namespace,
 * pid not running)
 * is taken over at once; one whose heartbeat stopped {@link STALE_MS} ago is taken over too; any
 * other holder is waited for, at most `waitMs`, then a {@link CacheError} ("locked") names it.
 * An error other than "exists" (permissions, read-only file system) fails at once: retrying it
 * cannot help.
 */
export async function acquireCacheLock(
  cachePath: string,
  options: CacheLockOptions,
): Promise<HeldCacheLock> {
  const lockDirectory = `${cachePath}.lock`;
  const deadline = Date.now() + options.waitMs;
  let waits = 0;
  let immediateRetries = 0;
  let delayMs = 20;
  for (;;) {
    const owner: Owner = {
      pid: process.pid,
      host: processScope(),
      nonce: nodeCrypto().randomUUID(),
    };
    if (tryCreate(lockDirectory, owner, cachePath)) {
      return hold(lockDirectory, owner, waits, options);
    }
    const holder = inspect(lockDirectory, cachePath);
    if (holder.state !== "held" && immediateRetries < MAX_IMMEDIATE_RETRIES) {
      immediateRetries += 1;
      if (holder.state === "abandoned") {
        removeAbandoned(lockDirectory, holder.nonce);
        options.onDebug(`token cache: took over the lock of ${holder.reason}`);
      }
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const who = holder.state === "held" && holder.pid ? ` (process ${holder.pid})` : "";
      throw new CacheError(
        "locked",
        cachePath,
        `The token cache ${cachePath} is locked by another passgrant process${who} that held it ` +
          `for more than ${Math.round(options.waitMs / 1000)} s. Check for a hung passgrant process; ` +
          `if none is running, remove ${lockDirectory}.`,
      );
    }
    await sleep(Math.min(delayMs, remaining));
    waits += 1;
    delayMs = Math.min(delayMs * 1.5, 250);
  }
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the lock directory and its owner record; false when another holds the lock. */
function tryCreate(lockDirectory: string, owner: Owner, cachePath: string): boolean {
  try {
    mkdirSync(lockDirectory, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    throw new CacheError(
      "unwritable",
      cachePath,
      `The token cache ${cachePath} cannot be locked: ${lockDirectory} cannot be created ` +
        `(${code ?? String(error)}).`,
      { cause: error },
    );
  }
  try {
    writeFileSync(join(lockDirectory, "owner"), JSON.stringify(owner), { mode: 0o600, flag: "wx" });
  } catch (error) {
    rmSync(lockDirectory, { recursive: true, force: true });
    throw new CacheError(
      "unwritable",
      cachePath,
      `The token cache ${cachePath} cannot be locked: writing in ${lockDirectory} failed ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      { cause: error },
    );
  }
  return true;
}

type Holder =
  | { state: "gone" }
  | { state: "held"; pid?: number }
  | { state: "abandoned"; reason: string; nonce?: string };

function inspect(lockDirectory: string, cachePath: string): Holder {
  let modifiedMs: number;
  try {
    const stats = lstatSync(lockDirectory);
    if (!stats.isDirectory()) {
      throw new CacheError(
        "not-a-directory",
        cachePath,
        `The token cache lock ${lockDirectory} is not a directory passgrant made.`,
        { advice: "remove-lock" },
      );
    }
    modifiedMs = stats.mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: "gone" };
    throw error;
  }
  const owner = readOwner(lockDirectory);
  if (owner && owner.host === processScope() && !isProcessAlive(owner.pid)) {
    return {
      state: "abandoned",
      reason: `process ${owner.pid}, which is no longer running`,
      nonce: owner.nonce,
    };
  }
  const idleMs = Date.now() - modifiedMs;
  if (idleMs > STALE_MS) {
    return {
      state: "abandoned",
      reason: `a holder silent for ${Math.round(idleMs / 1000)} s`,
      ...(owner ? { nonce: owner.nonce } : {}),
    };
  }
  return owner ? { state: "held", pid: owner.pid } : { state: "held" };
}

function readOwner(lockDirectory: string): Owner | undefined {
  try {
    const value = JSON.parse(readFileSync(join(lockDirectory, "owner"), "utf8")) as Partial<Owner>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      return { pid: value.pid, host: value.host, nonce: String(value.nonce ?? "") };
    }
  } catch {
    // No record (a lock from passgrant 0.1, or a holder between mkdir and write): judge by age.
  }
  return undefined;
}

/**
 * Moves the abandoned lock aside (rename is atomic, so two processes taking it over at once
 * cannot both succeed) and deletes it. If what was moved is not the lock judged abandoned (another
 * process took it over in between), it is put back.
 */
function removeAbandoned(lockDirectory: string, nonce: string | undefined): void {
  const aside = `${lockDirectory}.${process.pid}.${nodeCrypto().randomUUID()}.abandoned`;
  try {
    renameSync(lockDirectory, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  if (moved && moved.nonce !== (nonce ?? "")) {
    try {
      renameSync(aside, lockDirectory);
      return;
    } catch {
      // A third process created a lock meanwhile; the live holder will see it lost the lock.
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

function hold(
  lockDirectory: string,
  owner: Owner,
  waits: number,
  options: CacheLockOptions,
): HeldCacheLock {
  let released = false;
  const isOurs = () => readOwner(lockDirectory)?.nonce === owner.nonce;
  const heartbeat = setInterval(() => {
    if (!isOurs()) {
      clearInterval(heartbeat);
      options.onWarning("token cache lock lost: another process took it over");
      return;
    }
    try {
      const now = new Date();
      utimesSync(lockDirectory, now, now);
    } catch {
      // Retried on the next beat; a lock left untouched for STALE_MS is taken over.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off("exit", release);
    if (isOurs()) removeLock(lockDirectory);
  };
  // A process that exits while holding the lock (SIGTERM, process.exit) leaves it free.
  process.on("exit", release);
  return { waits, release };
}

/**
 * Removes a lock this process holds: its owner file, then the directory. Not a recursive rmSync,
 * which loads Node's whole rimraf for one file; anything unexpected inside falls back to it.
 */
function removeLock(lockDirectory: string): void {
  try {
    unlinkSync(join(lockDirectory, "owner"));
    rmdirSync(lockDirectory);
  } catch {
    rmSync(lockDirectory, { recursive: true, force: true });
  }
}
