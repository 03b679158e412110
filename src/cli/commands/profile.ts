import { statSync } from "node:fs";
import { resolve } from "node:path";
import { variableProblems } from "../../config/platform-config.js";
import { updateProfilesFile } from "../../config/profile-store.js";
import {
  PATH_KEYS,
  PROFILE_NAME_PATTERN,
  type ProfileKey,
  type ProfileOptions,
  profileKeys,
  profileVariables,
  readProfilesFile,
  type SelectedProfile,
  unknownProfile,
} from "../../config/profiles.js";
import { ConfigError } from "../../errors.js";
import { closest } from "../../suggest.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { profileActions, profileOptions, profileSettingOptions } from "../command-options.js";
import { type Command, type CommandContext, withProfile } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { loadCommandEnvironment } from "../platform.js";
import {
  effectiveSettings,
  flagOf,
  listJson,
  listText,
  showJson,
  showText,
} from "../profile-view.js";

const help = `Usage: passgrant profile list [--json]
       passgrant profile show [NAME] [--json]
       passgrant profile add NAME (--base-url URL | --token-url URL | --issuer URL) --client-id ID
                             [--client-auth MODE [--client-assertion-key-file PEM]
                             [--client-cert-file PEM --client-cert-key-file PEM]]
                             [--username USER] [--scope SCOPES]
                             [--ca-file PEM] [--spec FILE_OR_URL] [--timeout-ms N] [--retries N]
                             [--max-response-bytes N] [--insecure-tls] [--replace]
       passgrant profile remove NAME
       passgrant profile use NAME | --none

Named profiles hold a platform's non-secret settings in the config file
($XDG_CONFIG_HOME/passgrant/config.json, else ~/.config/passgrant/config.json, or the file named
by PASSGRANT_CONFIG). A command uses the profile named by --profile NAME, else PASSGRANT_PROFILE,
else the file's current one (\`profile use\`). MSX_* variables (environment or .env) override its
settings one by one. Secrets are never written to the file: the client secret and the password
come from MSX_CLIENT_SECRET / MSX_PASSWORD, --password-stdin or a prompt, as without profiles.

Actions:
  list      the profiles; * marks the one a command would use
  show      the settings a command would use with NAME (default: the selected profile), each
            with where it comes from (profile, environment, .env); secrets only as "set"
  add       write a profile (mode 0600; --replace overwrites one of that name)
  remove    delete a profile (and forget it as current)
  use       make NAME the current profile; --none: no current profile

Options:
  --json                 list and show as JSON
  --base-url URL, --token-url URL, --issuer URL, --client-id ID, --client-auth MODE,
  --client-assertion-key-file PEM (private_key_jwt: the key file's path, never the key),
  --client-cert-file PEM, --client-cert-key-file PEM (mutual TLS: the files' paths),
  --username USER, --scope SCOPES, --ca-file PEM, --spec FILE_OR_URL, --timeout-ms N,
  --retries N, --max-response-bytes N, --insecure-tls
                         the settings \`add\` stores (as MSX_BASE_URL, MSX_TOKEN_URL, … would)
  --dotenv FILE          read FILE instead of ./.env (for show's sources)
  --profile NAME         the profile list marks and show shows (or set PASSGRANT_PROFILE)
  -h, --help             show this help`;

export const profileCommand: Command = {
  name: "profile",
  async run(args, context) {
    const { values, positionals } = parseCommandArgs("profile", args, profileOptions, true);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const [action, name, ...extra] = positionals;
    if (extra.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}.`, "profile");
    const settings = givenSettings(values);
    if (action !== "add" && Object.keys(settings).length > 0) {
      throw new UsageError(
        `${flagOf(Object.keys(settings)[0] as string)} only applies to \`profile add\`.`,
        "profile",
      );
    }
    if (values.replace && action !== "add")
      throw new UsageError("--replace only applies to `profile add`.", "profile");
    if (values.none && action !== "use")
      throw new UsageError("--none only applies to `profile use`.", "profile");
    if (values.json && action !== "list" && action !== "show") {
      throw new UsageError("--json only applies to `profile list` and `profile show`.", "profile");
    }
    switch (action) {
      case "list":
        return list(context, name, values.json === true);
      case "show":
        return show(context, values, name, values.json === true);
      case "add":
        return add(context, requiredName(name, "add"), settings, values.replace === true);
      case "remove":
        return remove(context, requiredName(name, "remove"));
      case "use":
        return use(context, name, values.none === true);
      default:
        context.stderr.write(`${help}\n`);
        throw new UsageError(
          action === undefined
            ? "Name an action: list, show, add, remove or use."
            : `Unknown action ${JSON.stringify(action)}${didYouMean(action)}: list, show, add, remove or use.`,
          "profile",
        );
    }
  },
};

function didYouMean(action: string): string {
  const meant = closest(action, profileActions);
  return meant === undefined ? "" : `; did you mean ${meant}?`;
}

function requiredName(name: string | undefined, action: string): string {
  if (name === undefined)
    throw new UsageError(`profile ${action} needs a profile NAME.`, "profile");
  if (!PROFILE_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `${JSON.stringify(name)} is not a valid profile name: use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit).`,
      "profile",
    );
  }
  return name;
}

/** The profile this run selects, or undefined; a selection naming no profile is only warned about. */
function selectedQuietly(context: CommandContext): SelectedProfile | undefined {
  try {
    return context.profile?.();
  } catch (error) {
    // A bad file is an error for every action; a stale name only hides the mark.
    if (
      !(error instanceof ConfigError) ||
      !/which is not a profile|not a valid profile name/.test(error.message)
    )
      throw error;
    context.stderr.write(`passgrant: warning: ${error.message}\n`);
    return undefined;
  }
}

function list(context: CommandContext, name: string | undefined, json: boolean): number {
  if (name !== undefined)
    throw new UsageError("profile list takes no NAME (see profile show NAME).", "profile");
  const file = readProfilesFile(context.env);
  const selected = selectedQuietly(context)?.name;
  if (json) {
    context.stdout.write(listJson(file, selected, context.stdout.isTTY ? 2 : undefined));
  } else if (file.profiles.size === 0) {
    context.stderr.write(
      `No profiles in ${file.path}. Add one: passgrant profile add NAME --base-url URL --client-id ID\n`,
    );
  } else {
    context.stdout.write(listText(file, selected));
  }
  return ExitCode.ok;
}

function show(
  context: CommandContext,
  values: { dotenv?: string | undefined; "env-file"?: string | undefined },
  name: string | undefined,
  json: boolean,
): number {
  const selected = name === undefined ? context.profile?.() : selectedQuietly(context);
  let profile: SelectedProfile;
  if (name === undefined) {
    if (selected === undefined) {
      throw new ConfigError(
        "No profile is selected: name one (passgrant profile show NAME), or select one with --profile NAME, PASSGRANT_PROFILE or `passgrant profile use NAME`.",
      );
    }
    profile = selected;
  } else {
    const file = readProfilesFile(context.env);
    const options = file.profiles.get(requiredName(name, "show"));
    if (options === undefined) throw new ConfigError(unknownProfile(file, name, "profile show"));
    profile = { name, selectedBy: "--profile", path: file.path, options };
  }
  const environment = loadCommandEnvironment(
    withProfile(context, () => profile),
    values,
    "profile",
  );
  const settings = effectiveSettings(profile, environment);
  const isSelected = selected?.name === profile.name;
  const shown = isSelected && selected ? selected : profile;
  context.stdout.write(
    json
      ? showJson(shown, isSelected, settings, context.stdout.isTTY ? 2 : undefined)
      : showText(shown, isSelected, settings),
  );
  return ExitCode.ok;
}

/** The settings given as flags, in the profile's key names and JSON types. */
function givenSettings(values: Record<string, unknown>): ProfileOptions {
  const options: Record<string, unknown> = {};
  for (const flag of Object.keys(profileSettingOptions)) {
    const given = values[flag];
    if (given === undefined) continue;
    const key = flag.replace(/-([a-z])/g, (_, letter: string) =>
      letter.toUpperCase(),
    ) as ProfileKey;
    const type = profileKeys[key].type;
    if (type === "integer") {
      if (!/^\d+$/.test(String(given))) {
        throw new UsageError(
          `--${flag} must be a whole number, got ${JSON.stringify(given)}.`,
          "profile",
        );
      }
      options[key] = Number(given);
    } else {
      options[key] = given;
    }
  }
  return options as ProfileOptions;
}

async function add(
  context: CommandContext,
  name: string,
  given: ProfileOptions,
  replace: boolean,
): Promise<number> {
  const options: ProfileOptions = { ...given };
  const problems: string[] = [];
  if (options.clientId === undefined)
    problems.push("--client-id is required: the security client's id.");
  if (
    options.baseUrl === undefined &&
    options.tokenUrl === undefined &&
    options.issuer === undefined
  ) {
    problems.push(
      "Give --base-url (the platform's root URL), or --token-url or --issuer for the token alone.",
    );
  }
  // Paths are stored absolute: the profile must mean the same file from any working directory.
  for (const key of PATH_KEYS) {
    const path = options[key];
    if (path !== undefined) options[key] = resolve(context.cwd, path);
  }
  if (options.spec !== undefined && !/^(https?|file):/i.test(options.spec)) {
    options.spec = resolve(context.cwd, options.spec);
    if (!isFile(options.spec))
      problems.push(
        `--spec: ${options.spec} is not a readable file. Give the OpenAPI document's path or an http(s) URL.`,
      );
  }
  // The checks a run would make of these values, named by the flag that gave them.
  const flags = new Map<string, string>();
  for (const [key, { variable }] of Object.entries(profileKeys)) {
    if (variable !== undefined) flags.set(variable, flagOf(key));
  }
  for (const problem of variableProblems(profileVariables(options))) {
    const variable = /^MSX_[A-Z_]+/.exec(problem)?.[0] ?? "";
    const flag = flags.get(variable);
    problems.push(flag === undefined ? problem : `${flag}${problem.slice(variable.length)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const file = await updateProfilesFile(context.env, (document, before) => {
    if (before.profiles.has(name) && !replace) {
      throw new ConfigError(
        `The profile "${name}" already exists in ${before.path}. Add --replace to overwrite it, or pick another name.`,
      );
    }
    // In the documented key order, whatever order the flags came in.
    const ordered: Record<string, unknown> = {};
    for (const key of Object.keys(profileKeys)) {
      const value = options[key as ProfileKey];
      if (value !== undefined) ordered[key] = value;
    }
    document.profiles[name] = ordered;
  });
  if (options.insecureTls) {
    // Stored, it would skip verification on every run of this profile, not just this one.
    context.stderr.write(
      `passgrant: warning: profile ${name} turns TLS certificate verification off for every command that uses it (each run warns again). Prefer --ca-file with the platform's CA.\n`,
    );
  }
  context.stdout.write(
    `Saved profile ${name} in ${file.path}. Use it with --profile ${name}${file.current === name ? "" : `, or make it the default: passgrant profile use ${name}`}.\n`,
  );
  return ExitCode.ok;
}

async function remove(context: CommandContext, name: string): Promise<number> {
  let wasCurrent = false;
  const file = await updateProfilesFile(context.env, (document, before) => {
    if (!before.profiles.has(name))
      throw new ConfigError(unknownProfile(before, name, "profile remove"));
    delete document.profiles[name];
    if (document.current === name) {
      wasCurrent = true;
      document.current = undefined;
    }
  });
  context.stdout.write(
    `Removed profile ${name} from ${file.path}.${wasCurrent ? " No profile is current now." : ""}\n`,
  );
  return ExitCode.ok;
}

async function use(
  context: CommandContext,
  name: string | undefined,
  none: boolean,
): Promise<number> {
  if (none === (name !== undefined)) {
    throw new UsageError(
      "profile use takes a profile NAME, or --none for no current profile.",
      "profile",
    );
  }
  const target = none ? undefined : requiredName(name, "use");
  const file = await updateProfilesFile(context.env, (document, before) => {
    if (target !== undefined && !before.profiles.has(target)) {
      throw new ConfigError(unknownProfile(before, target, "profile use"));
    }
    document.current = target;
  });
  context.stdout.write(
    target === undefined
      ? `No profile is current now (${file.path}).\n`
      : `Profile ${target} is current now (${file.path}); --profile and PASSGRANT_PROFILE still pick others.\n`,
  );
  return ExitCode.ok;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
