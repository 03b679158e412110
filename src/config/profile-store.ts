import { realpathSync } from "node:fs";
import { dirname } from "node:path";
import { CacheError } from "../cache/cache-error.js";
import { acquireCacheLock, type HeldCacheLock } from "../cache/cache-lock.js";
import { ConfigError } from "../errors.js";
import { makePrivateDirectory, writePrivateFile } from "../private-file.js";
import type { Environment } from "./environment.js";
import {
  CONFIG_FILE_FORMAT,
  CONFIG_FILE_VARIABLE,
  CONFIG_FILE_VERSION,
  configFilePath,
  type ProfilesFile,
  parseProfilesFile,
  readConfigDocument,
} from "./profile-file.js";

/** The config file's JSON, as a change sees it: settings as written (relative paths stay relative). */
export interface ConfigDocument {
  current?: string | undefined;
  profiles: Record<string, Record<string, unknown>>;
}

/** The longest wait for another passgrant process changing the config file. */
const LOCK_WAIT_MS = 5_000;

/**
 * Changes the config file: reads it (a file that is not valid is refused as when it is used, so
 * nothing is lost by rewriting it), lets `change` edit its JSON, checks the result as a reader
 * will (a secret can never be written), and replaces the file atomically, mode 0600, creating its
 * folder with mode 0700. A linked file is written where the link points, keeping the link. The
 * whole read-change-write holds the token cache's cross-process lock (`<file>.lock`), so two
 * `passgrant profile add` running at once both land. Returns the file as it now reads.
 */
export async function updateProfilesFile(
  env: Environment,
  change: (document: ConfigDocument, before: ProfilesFile) => void,
): Promise<ProfilesFile> {
  const target = realTarget(configFilePath(env));
  let lock: HeldCacheLock;
  try {
    makePrivateDirectory(dirname(target));
    lock = await acquireCacheLock(target, {
      waitMs: LOCK_WAIT_MS,
      onDebug: () => {},
      onWarning: () => {},
    });
  } catch (error) {
    if (error instanceof CacheError && error.problem === "locked") {
      throw new ConfigError(
        `Another passgrant process has been changing the config file ${target} for over ${LOCK_WAIT_MS / 1000} s. Try again; if no passgrant is running, remove ${target}.lock.`,
        { cause: error },
      );
    }
    throw unwritable(target, error);
  }
  try {
    return rewrite(env, target, change);
  } finally {
    lock.release();
  }
}

function rewrite(
  env: Environment,
  target: string,
  change: (document: ConfigDocument, before: ProfilesFile) => void,
): ProfilesFile {
  const { path, document } = readConfigDocument(env);
  const before =
    document === undefined
      ? { path, exists: false, profiles: new Map() }
      : parseProfilesFile(path, document);
  const edited = structuredClone(
    (document ?? { profiles: {} }) as ConfigDocument & Record<string, unknown>,
  );
  edited.profiles ??= {};
  change(edited, before);
  const next = {
    format: CONFIG_FILE_FORMAT,
    version: CONFIG_FILE_VERSION,
    ...(edited.current !== undefined ? { current: edited.current } : {}),
    profiles: edited.profiles,
  };
  const after = parseProfilesFile(path, next);
  try {
    writePrivateFile(target, `${JSON.stringify(next, null, 2)}\n`);
  } catch (error) {
    throw unwritable(target, error);
  }
  return after;
}

function unwritable(target: string, error: unknown): ConfigError {
  const code =
    error instanceof CacheError
      ? error.problem
      : ((error as NodeJS.ErrnoException).code ?? String(error));
  return new ConfigError(
    `The config file ${target} could not be written (${code}). Check that its folder is yours and writable, or point ${CONFIG_FILE_VARIABLE} at another file.`,
    { cause: error },
  );
}

/** Where a link at `path` points (so the rewrite keeps a dotfile manager's link); else `path`. */
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
