import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { FileRefusal, readRegularFile, untrustedBecause } from "../private-file.js";
import { closest } from "../suggest.js";
import type { Environment } from "./environment.js";
import { type ConfigVariable, optionVariableNames } from "./variables.js";

/** The variable that names the config file instead of the default location. */
export const CONFIG_FILE_VARIABLE = "PASSGRANT_CONFIG";

/** The marker that makes a JSON file passgrant's config file, and the layout's version. */
export const CONFIG_FILE_FORMAT = "passgrant-config";
export const CONFIG_FILE_VERSION = 1;

/** The largest config file read: thousands of profiles fit in far less. */
export const MAX_CONFIG_FILE_BYTES = 256 * 1024;

/** Profile names: what a shell, a completion script and a file name all take without quoting. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What a profile may hold, in the library's option names: every non-secret setting. Each key's
 * JSON type, and the MSX_* variable it stands under (the environment overrides it field by field).
 * `spec` has no variable: only `passgrant api` reads it.
 */
export const profileKeys = {
  baseUrl: { type: "string", variable: optionVariableNames.baseUrl },
  tokenUrl: { type: "string", variable: optionVariableNames.tokenUrl },
  issuer: { type: "string", variable: optionVariableNames.issuer },
  clientId: { type: "string", variable: optionVariableNames.clientId },
  clientAuth: { type: "string", variable: optionVariableNames.clientAuth },
  // The path of the private key (private_key_jwt), not the key: the file stays where it is.
  clientAssertionKeyFile: { type: "string", variable: optionVariableNames.clientAssertionKeyFile },
  // Mutual TLS (RFC 8705): the certificate's and its key's paths.
  clientCertFile: { type: "string", variable: optionVariableNames.clientCertFile },
  clientCertKeyFile: { type: "string", variable: optionVariableNames.clientCertKeyFile },
  username: { type: "string", variable: optionVariableNames.username },
  scope: { type: "string", variable: optionVariableNames.scope },
  caFile: { type: "string", variable: optionVariableNames.caFile },
  spec: { type: "string", variable: undefined },
  insecureTls: { type: "boolean", variable: optionVariableNames.insecureTls },
  timeoutMs: { type: "integer", variable: optionVariableNames.timeoutMs },
  retries: { type: "integer", variable: optionVariableNames.retries },
  maxResponseBytes: { type: "integer", variable: optionVariableNames.maxResponseBytes },
} as const satisfies Record<
  string,
  { type: "string" | "integer" | "boolean"; variable: ConfigVariable | undefined }
>;

export type ProfileKey = keyof typeof profileKeys;

/** The keys that name local files: relative to the config file when read, stored absolute by add. */
export const PATH_KEYS = [
  "caFile",
  "clientAssertionKeyFile",
  "clientCertFile",
  "clientCertKeyFile",
] as const satisfies readonly ProfileKey[];

/** One profile's settings, as the file holds them (paths already resolved against the file). */
export type ProfileOptions = {
  -readonly [K in ProfileKey]?: (typeof profileKeys)[K]["type"] extends "string"
    ? string
    : (typeof profileKeys)[K]["type"] extends "boolean"
      ? boolean
      : number;
};

/** The config file as read: where it is, and its profiles in file order. */
export interface ProfilesFile {
  readonly path: string;
  /** False when there is no file yet (no profiles then). */
  readonly exists: boolean;
  /** The profile used when neither `--profile` nor PASSGRANT_PROFILE names one. */
  readonly current?: string;
  readonly profiles: ReadonlyMap<string, Readonly<ProfileOptions>>;
}

/**
 * Keys that would hold a secret. The config file never does: anyone who can read it, a backup or
 * a dotfiles repository would get the secret. Compared without case, `-` or `_`.
 */
const secretKeys = new Set([
  "clientsecret",
  "secret",
  "password",
  "passwd",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "apikey",
  "privatekey",
  "key",
  "clientkey",
  "clientassertion",
  "clientassertionkey",
  "assertion",
]);

const SECRET_ADVICE =
  "passgrant never keeps secrets in its config file. Remove the key, and set MSX_CLIENT_SECRET / MSX_PASSWORD in the environment or .env, pipe the password with --password-stdin, or answer the prompt.";

/** `$PASSGRANT_CONFIG`, else `$XDG_CONFIG_HOME/passgrant/config.json`, else `~/.config/passgrant/config.json`. */
export function configFilePath(env: Environment): string {
  const explicit = env[CONFIG_FILE_VARIABLE]?.trim();
  if (explicit) return resolve(explicit);
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "passgrant", "config.json");
}

/**
 * Reads and validates the config file; no file is no profiles. Read like the token cache: never
 * blocking on a FIFO, a regular file only (a link is followed: dotfile managers link it), at most
 * {@link MAX_CONFIG_FILE_BYTES}, owned by this user (or root) and writable by nobody else, since
 * it decides where passwords are sent. Every problem is reported at once in a {@link ConfigError}
 * naming the file, the profile and the key, with what to do.
 */
export function readProfilesFile(env: Environment): ProfilesFile {
  const { path, document } = readConfigDocument(env);
  if (document === undefined) return { path, exists: false, profiles: new Map() };
  return parseProfilesFile(path, document);
}

/**
 * The config file's JSON as it is (not yet validated: {@link parseProfilesFile} does that), or no
 * document when there is no file; read as {@link readProfilesFile} says.
 */
export function readConfigDocument(env: Environment): { path: string; document?: unknown } {
  const path = configFilePath(env);
  let text: string | undefined;
  try {
    text = readRegularFile(path, {
      maxBytes: MAX_CONFIG_FILE_BYTES,
      followLinks: true,
      check: (stats) => {
        const untrusted = untrustedBecause(stats, true);
        if (untrusted === undefined) return;
        throw new ConfigError(
          "owner" in untrusted
            ? `The config file ${path} belongs to another user (uid ${untrusted.owner}, you are ${untrusted.uid}): it decides where passwords are sent, so passgrant will not use it. Point ${CONFIG_FILE_VARIABLE} at a file of your own.`
            : `The config file ${path} is writable by other users (mode ${untrusted.mode}): it decides where passwords are sent, so passgrant will not use it. If it is yours, run \`chmod 600 ${path}\`.`,
        );
      },
      use: (content) => content,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(path, error);
  }
  if (text === undefined) return { path };
  try {
    return { path, document: JSON.parse(text) };
  } catch (error) {
    throw new ConfigError(
      `The config file ${path} is not valid JSON (${(error as Error).message}). Fix it in an editor, or move it away and add the profiles again with \`passgrant profile add\`.`,
    );
  }
}

/** Validates a parsed config file; see {@link readProfilesFile}. */
export function parseProfilesFile(path: string, document: unknown): ProfilesFile {
  const problems: string[] = [];
  const at = (where: string, problem: string) => problems.push(`${path}: ${where}${problem}`);
  if (!isObject(document)) {
    throw new ConfigError(
      `${path}: the config file must hold a JSON object such as {"format": "${CONFIG_FILE_FORMAT}", "version": ${CONFIG_FILE_VERSION}, "profiles": {}}.`,
    );
  }
  if (document.format !== CONFIG_FILE_FORMAT) {
    at(
      "",
      `"format" must be "${CONFIG_FILE_FORMAT}"${document.format === undefined ? " (it is missing)" : ""}: this marker says the file is passgrant's config file. Add it, or point ${CONFIG_FILE_VARIABLE} at passgrant's file.`,
    );
  }
  if (document.version !== CONFIG_FILE_VERSION) {
    at(
      "",
      typeof document.version === "number" && document.version > CONFIG_FILE_VERSION
        ? `"version" is ${document.version}: a newer passgrant wrote this file. Upgrade passgrant.`
        : `"version" must be ${CONFIG_FILE_VERSION}.`,
    );
  }
  const current = document.current;
  if (current !== undefined && typeof current !== "string") {
    at("", '"current" must be a profile\'s name (a string).');
  }
  const profiles = new Map<string, ProfileOptions>();
  if (document.profiles !== undefined && !isObject(document.profiles)) {
    at("", '"profiles" must be an object of named profiles: {"lab": {"baseUrl": …}}.');
  } else {
    for (const [name, value] of Object.entries(document.profiles ?? {})) {
      if (!PROFILE_NAME_PATTERN.test(name)) {
        at("", `profile name ${JSON.stringify(name)} ${PROFILE_NAME_RULE}`);
        continue;
      }
      const options = parseProfile(value, (problem) => at(`profile "${name}": `, problem));
      if (options) profiles.set(name, resolvePaths(options, dirname(path)));
    }
  }
  for (const key of Object.keys(document)) {
    if (["format", "version", "current", "profiles"].includes(key)) continue;
    const meant = closest(key, ["format", "version", "current", "profiles"]);
    at("", `unknown key "${key}"${meant ? `; did you mean "${meant}"?` : "."} ${TOP_LEVEL_KEYS}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    path,
    exists: true,
    ...(typeof current === "string" && current !== "" ? { current } : {}),
    profiles,
  };
}

/** What the name rule says, for every message that checks a name. */
export const PROFILE_NAME_RULE =
  "is not a valid profile name: use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit).";

const TOP_LEVEL_KEYS = 'The file holds "format", "version", "current" and "profiles".';

function parseProfile(value: unknown, problem: (text: string) => void): ProfileOptions | undefined {
  if (!isObject(value)) {
    problem('must be an object of settings, e.g. {"baseUrl": "https://msx.example.com"}.');
    return undefined;
  }
  const options: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(value)) {
    if (secretKeys.has(key.toLowerCase().replace(/[-_]/g, ""))) {
      problem(`holds "${key}", a secret (its value is not shown). ${SECRET_ADVICE}`);
      continue;
    }
    if (!Object.hasOwn(profileKeys, key)) {
      const meant = closest(key, Object.keys(profileKeys));
      problem(
        `unknown key "${key}"${meant ? `; did you mean "${meant}"?` : "."} A profile holds ${Object.keys(profileKeys).join(", ")}.`,
      );
      continue;
    }
    const type = profileKeys[key as ProfileKey].type;
    const fits =
      type === "string"
        ? typeof setting === "string" && setting.trim() !== ""
        : type === "boolean"
          ? typeof setting === "boolean"
          : Number.isSafeInteger(setting) && (setting as number) >= 0;
    if (!fits) {
      problem(`"${key}" must be ${typeWords[type]}; remove the key to leave it unset.`);
      continue;
    }
    options[key] = setting;
  }
  return options as ProfileOptions;
}

const typeWords = {
  string: "a non-empty string",
  boolean: "true or false (JSON booleans, not strings)",
  integer: "a whole number (a JSON number, not a string)",
} as const;

/** A relative file (`caFile`, `spec`, the key file) is next to the config file, as in kubeconfig. */
function resolvePaths(options: ProfileOptions, directory: string): ProfileOptions {
  const resolved = { ...options };
  for (const key of PATH_KEYS) {
    const path = resolved[key];
    if (path !== undefined && !isAbsolute(path)) resolved[key] = resolve(directory, path);
  }
  if (resolved.spec !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(resolved.spec)) {
    if (!isAbsolute(resolved.spec)) resolved.spec = resolve(directory, resolved.spec);
  }
  return resolved;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unreadable(path: string, error: unknown): ConfigError {
  if (error instanceof FileRefusal && error.problem === "not-a-file") {
    return new ConfigError(
      `The config file ${path} is ${error.detail}, not a regular file. Point ${CONFIG_FILE_VARIABLE} at a JSON file, or remove what is in the way.`,
    );
  }
  if (error instanceof FileRefusal && error.problem === "too-large") {
    return new ConfigError(
      `The config file ${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes: not a file passgrant wrote. Point ${CONFIG_FILE_VARIABLE} at passgrant's config file.`,
    );
  }
  const code =
    error instanceof FileRefusal ? error.detail : ((error as NodeJS.ErrnoException).code ?? "");
  return new ConfigError(
    `The config file ${path} could not be read (${code || String(error)}). Check that it is readable, or point ${CONFIG_FILE_VARIABLE} elsewhere.`,
    { cause: error },
  );
}
