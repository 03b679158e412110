import {
  type ProfiledEnvironment,
  type ProfileKey,
  type ProfilesFile,
  profileKeys,
  type SelectedProfile,
} from "../config/profiles.js";
import { terminalSafe, terminalSafeJson } from "./terminal-text.js";

/** One effective setting of a profile: its value, where it came from, what it overrides. */
export interface EffectiveSetting {
  /** Absent for a secret: only whether it is set is shown, never its value. */
  readonly value?: string | number | boolean;
  /** `profile`, `the environment`, or the dotenv file as named (`./.env`). */
  readonly source: string;
  /** The profile's own value, when the environment or .env overrides it. */
  readonly profileValue?: string | number | boolean;
  /** True for the client secret and the password: set, never shown. */
  readonly secret?: true;
}

/** The secrets a run may take from the environment; `show` says whether each is set, never what. */
const secretSettings = { clientSecret: "MSX_CLIENT_SECRET", password: "MSX_PASSWORD" } as const;

/**
 * The settings a run with `profile` would use, key by key: the environment and .env win over
 * the profile (`environment` was loaded with the profile applied underneath).
 */
export function effectiveSettings(
  profile: SelectedProfile,
  environment: ProfiledEnvironment,
): Record<string, EffectiveSetting> {
  const settings: Record<string, EffectiveSetting> = {};
  for (const [key, { variable }] of Object.entries(profileKeys)) {
    const own = profile.options[key as ProfileKey];
    if (variable === undefined) {
      if (own !== undefined) settings[key] = { value: own, source: "profile" };
      continue;
    }
    const value = environment.env[variable];
    if (value === undefined || value.trim() === "") continue;
    if (environment.profileKeyOf(variable) !== undefined && own !== undefined) {
      settings[key] = { value: own, source: "profile" };
      continue;
    }
    const source = `${environment.sourceOf(variable) ?? "the environment"} (${variable})`;
    settings[key] = { value, source, ...(own !== undefined ? { profileValue: own } : {}) };
  }
  for (const [key, variable] of Object.entries(secretSettings)) {
    if ((environment.env[variable]?.trim() ?? "") === "") continue;
    const source = `${environment.sourceOf(variable) ?? "the environment"} (${variable})`;
    settings[key] = { source, secret: true };
  }
  return settings;
}

/** `profile show`'s text: the profile, then one line per effective setting with its source. */
export function showText(
  profile: SelectedProfile,
  selected: boolean,
  settings: Record<string, EffectiveSetting>,
): string {
  const why = selected ? `, selected by ${profile.selectedBy}` : "";
  const lines = [`profile ${profile.name} (${profile.path}${why})`];
  const width = Math.max(0, ...Object.keys(settings).map((key) => key.length));
  for (const [key, setting] of Object.entries(settings)) {
    const value = setting.secret ? "(set, not shown)" : String(setting.value);
    const overrides =
      setting.profileValue === undefined
        ? ""
        : `, overriding the profile's ${JSON.stringify(setting.profileValue)}`;
    lines.push(`  ${key.padEnd(width)}  ${value}  [${setting.source}${overrides}]`);
  }
  if (Object.keys(settings).length === 0) lines.push("  (no settings)");
  // The file's text may hold anything: it never reaches the terminal raw.
  return `${terminalSafe(lines.join("\n"), { keepNewlines: true })}\n`;
}

/** `profile show --json` (indented on a terminal, compact otherwise, as `passgrant api`). */
export function showJson(
  profile: SelectedProfile,
  selected: boolean,
  settings: Record<string, EffectiveSetting>,
  indent: number | undefined,
): string {
  const shown = { name: profile.name, path: profile.path, selected, settings };
  return `${terminalSafeJson(shown, indent)}\n`;
}

/**
 * `profile list`'s text: one line per profile, `*` marking the one this run would use, with
 * where it signs in and as whom.
 */
export function listText(file: ProfilesFile, selected: string | undefined): string {
  const names = [...file.profiles.keys()];
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => {
    const options = file.profiles.get(name) ?? {};
    const where = options.baseUrl ?? options.tokenUrl ?? options.issuer ?? "";
    const who = [options.clientId, options.username].filter(Boolean).join(" / ");
    const mark = name === selected ? "*" : " ";
    return `${mark} ${name.padEnd(width)}  ${where}${who ? `  ${who}` : ""}`.trimEnd();
  });
  return `${terminalSafe(lines.join("\n"), { keepNewlines: true })}\n`;
}

/** `profile list --json`: the file, the current and selected names, every profile's settings. */
export function listJson(
  file: ProfilesFile,
  selected: string | undefined,
  indent: number | undefined,
): string {
  const profiles = [...file.profiles].map(([name, options]) => ({
    name,
    selected: name === selected,
    ...options,
  }));
  const listed = { path: file.path, current: file.current ?? null, selected: selected ?? null };
  return `${terminalSafeJson({ ...listed, profiles }, indent)}\n`;
}

/** The library option names (`baseUrl`) as `passgrant profile add` flags (`--base-url`). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
