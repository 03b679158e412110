import { sendsSecret } from "../auth/client-auth.js";
import {
  type Environment,
  loadEnvironment,
  loadPlatformConfig,
  type PlatformConfig,
  tokenHostWarning,
} from "../config/index.js";
import {
  applyProfile,
  attributeToProfile,
  CONFIG_FILE_VARIABLE,
  PROFILE_VARIABLE,
  type ProfiledEnvironment,
} from "../config/profiles.js";
import { ConfigError } from "../errors.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import type { Logger } from "./logger.js";
import { promptSecret, readStdinSecret } from "./prompt.js";

/**
 * The global options that name a dotenv file. `--dotenv` is the documented one: Node 20 claims
 * `--env-file` for itself even after the script name (nodejs/node#54232) and exits 9 when the file
 * is missing, so `--env-file` reaches passgrant only when Node lets it.
 */
export interface DotenvValues {
  dotenv?: string | undefined;
  "env-file"?: string | undefined;
}

/** The variable that names a dotenv file when no option does. */
export const ENV_FILE_VARIABLE = "PASSGRANT_ENV_FILE";

export interface PlatformOptions {
  command: string;
  /** The command's parsed options (`--dotenv`, `--env-file`). */
  dotenv?: DotenvValues | undefined;
  /** The grant needs a user and password (the password grant and the grants built on it). */
  needsUser: boolean;
  /** The command calls the API, so MSX_BASE_URL is required (default true). */
  needsBaseUrl?: boolean;
  /** Read the password from standard input instead of MSX_PASSWORD or a prompt. */
  passwordStdin?: boolean | undefined;
  /**
   * The command signs in at all (default true). False for calls the spec marks `security: []`:
   * no client id, secret, user or password is required or asked for.
   */
  needsCredentials?: boolean;
}

/** The environment with the dotenv file applied (the real environment wins). */
export function commandEnvironment(
  context: CommandContext,
  values: DotenvValues = {},
): Environment {
  return loadCommandEnvironment(context, values).env;
}

/**
 * The environment with the dotenv file applied over the run's profile (the config file's, see
 * {@link CommandContext.profile}), and where each value came from. The file is `--dotenv FILE`,
 * else `--env-file FILE`, else `$PASSGRANT_ENV_FILE`, else `./.env` if present. Precedence, field
 * by field: the real environment, then the dotenv file, then the profile.
 */
export function loadCommandEnvironment(
  context: CommandContext,
  values: DotenvValues = {},
  command?: string,
): ProfiledEnvironment {
  if (
    values.dotenv !== undefined &&
    values["env-file"] !== undefined &&
    values.dotenv !== values["env-file"]
  ) {
    throw new UsageError("--dotenv and --env-file name different files; give one.", command);
  }
  const fromVariable = context.env[ENV_FILE_VARIABLE]?.trim() || undefined;
  const [envFile, envFileFrom] =
    values.dotenv !== undefined
      ? [values.dotenv, "--dotenv"]
      : values["env-file"] !== undefined
        ? [values["env-file"], "--env-file"]
        : fromVariable !== undefined
          ? [fromVariable, ENV_FILE_VARIABLE]
          : [undefined, undefined];
  const loaded = loadEnvironment({
    env: context.env,
    cwd: context.cwd,
    ...(envFile !== undefined ? { envFile, envFileFrom } : {}),
  });
  // They choose where configuration comes from, before any dotenv file is read: one in the file
  // would be ignored, so it is refused rather than silently not obeyed.
  for (const name of [PROFILE_VARIABLE, CONFIG_FILE_VARIABLE]) {
    const source = loaded.sourceOf(name);
    if (source !== undefined && source !== "the environment" && context.env[name] === undefined) {
      throw new ConfigError(
        `${name} is set in ${source}, where passgrant does not read it: it is read from the real environment only (like ${ENV_FILE_VARIABLE}). Remove it from ${source}, and ${name === PROFILE_VARIABLE ? "pick the profile with --profile NAME, an exported PASSGRANT_PROFILE, or `passgrant profile use NAME`" : "export it instead"}.`,
      );
    }
  }
  return applyProfile(loaded, context.profile?.());
}

/**
 * The validated platform configuration with its secrets filled in. Secrets come only from the
 * environment, `.env`, standard input (`--password-stdin`) or a no-echo prompt on a terminal, and
 * are registered with the logger so no later line can show them. A token endpoint on another host
 * than the API is announced before any request (a stray `.env` must not silently redirect the
 * password and client secret).
 */
export async function resolvePlatform(
  context: CommandContext,
  log: Logger,
  options: PlatformOptions,
): Promise<PlatformConfig> {
  const loaded = loadCommandEnvironment(context, options.dotenv, options.command);
  const env: Record<string, string | undefined> = { ...loaded.env };
  if (options.passwordStdin) {
    if (!options.needsUser) {
      throw new UsageError(
        "--password-stdin only applies to grants that use a password.",
        options.command,
      );
    }
    if (context.stdin.isTTY) {
      throw new UsageError(
        "--password-stdin reads the password from a pipe, e.g. `printf '%s' \"$PW\" | passgrant token --password-stdin`; standard input is a terminal.",
        options.command,
      );
    }
    env.MSX_PASSWORD = await readStdinSecret(context.stdin);
    if (env.MSX_PASSWORD === "") {
      throw new ConfigError("--password-stdin: standard input was empty. Pipe the password in.");
    }
  }
  const signsIn = options.needsCredentials ?? true;
  // Standard input is looked at only when a secret is missing: setting it up costs a few ms.
  const canPrompt =
    (!env.MSX_PASSWORD || !env.MSX_CLIENT_SECRET) &&
    Boolean(context.stdin.isTTY && context.stderr.isTTY);
  const config = withProfileSources(loaded, () =>
    loadPlatformConfig(env, {
      baseUrl: options.needsBaseUrl ?? true,
      clientId: signsIn,
      username: signsIn && options.needsUser,
      password: signsIn && options.needsUser && !canPrompt,
      clientSecret: signsIn && !canPrompt,
    }),
  );
  if (!signsIn) return config;
  const warning = tokenHostWarning(config, loaded.sourceOf);
  if (warning) log.warn(warning);
  // The password first: a user who cannot give it should not be asked for the client secret.
  if (options.needsUser && config.password === undefined) {
    config.password = await promptSecret(context, `Password for ${config.username}: `);
    if (config.password === "") {
      throw new ConfigError(
        `No password given for ${config.username}: the password grant needs one. Type it at the prompt, set MSX_PASSWORD, or pipe it with --password-stdin.`,
      );
    }
  }
  if (sendsSecret(config.clientAuth) && config.clientSecret === undefined) {
    config.clientSecret = await promptSecret(context, `Client secret for ${config.clientId}: `);
    if (config.clientSecret === "") {
      throw new ConfigError(
        `No client secret given for ${config.clientId}. Type it at the prompt or set MSX_CLIENT_SECRET; for a public client without a secret, set MSX_CLIENT_AUTH=none.`,
      );
    }
  }
  log.addSecret(config.password);
  log.addSecret(config.clientSecret);
  return config;
}

/** `load()`, its configuration problems saying which came from the profile (and which key). */
function withProfileSources<T>(environment: ProfiledEnvironment, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError) || environment.profile === undefined) throw error;
    throw new ConfigError(
      error.problems.map((problem) => attributeToProfile(problem, environment)),
      { cause: error.cause },
    );
  }
}
