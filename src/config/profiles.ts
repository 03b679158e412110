import { ConfigError } from "../errors.js";
import { closest } from "../suggest.js";
import type { Environment, LoadedEnvironment } from "./environment.js";
import {
  PROFILE_NAME_PATTERN,
  PROFILE_NAME_RULE,
  type ProfileKey,
  type ProfileOptions,
  type ProfilesFile,
  profileKeys,
  readProfilesFile,
} from "./profile-file.js";

export {
  CONFIG_FILE_FORMAT,
  CONFIG_FILE_VARIABLE,
  CONFIG_FILE_VERSION,
  configFilePath,
  PATH_KEYS,
  PROFILE_NAME_PATTERN,
  type ProfileKey,
  type ProfileOptions,
  type ProfilesFile,
  profileKeys,
  readProfilesFile,
} from "./profile-file.js";

/** The variable that selects a profile when `--profile` does not (the real environment only). */
export const PROFILE_VARIABLE = "PASSGRANT_PROFILE";

/** The profile a run uses, and why that one. */
export interface SelectedProfile {
  readonly name: string;
  /** What chose it: the flag, the variable, or the config file's `current`. */
  readonly selectedBy: "--profile" | typeof PROFILE_VARIABLE | "current";
  /** The config file it came from. */
  readonly path: string;
  readonly options: Readonly<ProfileOptions>;
}

/**
 * The environment with a profile underneath: MSX_* values from the environment or `.env` win
 * field by field (an empty one counts as unset, as everywhere), the profile fills the rest.
 */
export interface ProfiledEnvironment extends LoadedEnvironment {
  readonly profile: SelectedProfile | undefined;
  /** The profile key a variable's value came from, when it came from the profile. */
  profileKeyOf(variable: string): ProfileKey | undefined;
}

/** The config file's profiles (none when there is no file). Throws a ConfigError for a bad file. */
export async function loadProfiles(env: Environment): Promise<ProfilesFile> {
  return readProfilesFile(env);
}

/**
 * The names of the config file's profiles, in file order; none when there is no file. A file
 * that is not valid is a ConfigError saying what to fix.
 */
export async function profileNames(env: Environment): Promise<string[]> {
  return [...readProfilesFile(env).profiles.keys()];
}

/**
 * The profile for this run: `flag` (the value of `--profile`), else PASSGRANT_PROFILE from
 * `env` (the real environment), else the config file's `current`; undefined when none is named.
 * A name that is not in the file is a ConfigError (exit 2) with a did-you-mean and the list.
 */
export function selectProfile(env: Environment, flag?: string): SelectedProfile | undefined {
  const fromVariable = env[PROFILE_VARIABLE]?.trim() || undefined;
  const requested = flag ?? fromVariable;
  const selectedBy = flag !== undefined ? "--profile" : PROFILE_VARIABLE;
  if (requested !== undefined && !PROFILE_NAME_PATTERN.test(requested)) {
    throw new ConfigError(`${selectedBy}: ${JSON.stringify(requested)} ${PROFILE_NAME_RULE}`);
  }
  const file = readProfilesFile(env);
  const name = requested ?? file.current;
  if (name === undefined) return undefined;
  const options = file.profiles.get(name);
  if (options !== undefined) {
    return {
      name,
      selectedBy: requested !== undefined ? selectedBy : "current",
      path: file.path,
      options,
    };
  }
  throw new ConfigError(
    unknownProfile(file, name, requested !== undefined ? selectedBy : "current"),
  );
}

/** The message for a name that is not a profile: where it came from, a did-you-mean, the list. */
export function unknownProfile(file: ProfilesFile, name: string, namedBy: string): string {
  const names = [...file.profiles.keys()];
  const from = namedBy === "current" ? `The config file's "current" names` : `${namedBy} names`;
  if (!file.exists) {
    return `${from} the profile "${name}", but there is no config file (${file.path}). Create the profile with \`passgrant profile add ${name} --base-url URL --client-id ID\`.`;
  }
  const meant = closest(name, names);
  const list =
    names.length > 0 ? ` Profiles: ${names.join(", ")}.` : " The file has no profiles yet.";
  const fix =
    namedBy === "current"
      ? " Pick one with `passgrant profile use NAME` (or `--none`)."
      : " `passgrant profile list` shows them.";
  return `${from} "${name}", which is not a profile in ${file.path}${meant ? `; did you mean "${meant}"?` : "."}${list}${fix}`;
}

/** The MSX_* values a profile stands for (`spec` has none). */
export function profileVariables(options: Readonly<ProfileOptions>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    const variable = profileKeys[key as ProfileKey]?.variable;
    if (variable !== undefined && value !== undefined) variables[variable] = String(value);
  }
  return variables;
}

/** Where a value of the profile came from, for messages: `profile "lab" (/home/u/.config/…)`. */
export function describeProfile(profile: Pick<SelectedProfile, "name" | "path">): string {
  return `profile "${profile.name}" (${profile.path})`;
}

/**
 * `loaded` with `profile` underneath: its MSX_* values fill what the environment and `.env`
 * leave unset, and `sourceOf` names the profile for them, so every message that says where a
 * value came from (the token host warning, configuration problems) can point at it.
 */
export function applyProfile(
  loaded: LoadedEnvironment,
  profile: SelectedProfile | undefined,
): ProfiledEnvironment {
  const fromProfile = new Map<string, ProfileKey>();
  const env: Record<string, string | undefined> = { ...loaded.env };
  if (profile !== undefined) {
    const variables = profileVariables(profile.options);
    for (const [key, { variable }] of Object.entries(profileKeys)) {
      if (variable === undefined) continue;
      const value = variables[variable];
      if (value === undefined || (env[variable]?.trim() ?? "") !== "") continue;
      env[variable] = value;
      fromProfile.set(variable, key as ProfileKey);
    }
  }
  const source = profile === undefined ? "" : describeProfile(profile);
  return {
    env,
    profile,
    sourceOf: (name) => (fromProfile.has(name) ? source : loaded.sourceOf(name)),
    profileKeyOf: (variable) => fromProfile.get(variable),
  };
}

/**
 * Configuration problems that are about a profile's value say so: a message that starts with a
 * variable the profile set reads `MSX_BASE_URL (baseUrl of profile "lab" (…/config.json)) must …`,
 * so the user knows which file to fix (or which variable overrides it).
 */
export function attributeToProfile(problem: string, environment: ProfiledEnvironment): string {
  const variable = /^MSX_[A-Z_]+/.exec(problem)?.[0];
  const profile = environment.profile;
  if (variable === undefined || profile === undefined) return problem;
  const key = environment.profileKeyOf(variable);
  if (key === undefined) {
    // Not set anywhere: the profile is one more place to set it.
    const settable = Object.entries(profileKeys).find(([, entry]) => entry.variable === variable);
    return settable && problem.startsWith(`${variable} is not set`)
      ? `${problem} Or set "${settable[0]}" in ${describeProfile(profile)}.`
      : problem;
  }
  return `${variable} (${key} of ${describeProfile(profile)})${problem.slice(variable.length)}`;
}
