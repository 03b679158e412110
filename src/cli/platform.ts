import {
  type Environment,
  loadPlatformConfig,
  type PlatformConfig,
  readEnvironment,
} from "../config/index.js";
import { ConfigError } from "../errors.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import type { Logger } from "./logger.js";
import { promptSecret, readStdinSecret } from "./prompt.js";

export interface PlatformOptions {
  command: string;
  envFile?: string | undefined;
  /** The grant needs a user and password (the password grant and the grants built on it). */
  needsUser: boolean;
  /** Read the password from standard input instead of MSX_PASSWORD or a prompt. */
  passwordStdin?: boolean | undefined;
}

/** The environment with `.env` applied (the real environment wins). */
export function commandEnvironment(context: CommandContext, envFile?: string): Environment {
  return readEnvironment({ env: context.env, cwd: context.cwd, ...(envFile ? { envFile } : {}) });
}

/**
 * The validated platform configuration with its secrets filled in. Secrets come only from the
 * environment, `.env`, standard input (`--password-stdin`) or a no-echo prompt on a terminal, and
 * are registered with the logger so no later line can show them.
 */
export async function resolvePlatform(
  context: CommandContext,
  log: Logger,
  options: PlatformOptions,
): Promise<PlatformConfig> {
  const env: Record<string, string | undefined> = {
    ...commandEnvironment(context, options.envFile),
  };
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
  const canPrompt = Boolean(context.stdin.isTTY && context.stderr.isTTY);
  const config = loadPlatformConfig(env, {
    username: options.needsUser,
    password: options.needsUser && !canPrompt,
    clientSecret: !canPrompt,
  });
  if (options.needsUser && config.password === undefined) {
    config.password = await promptSecret(context, `Password for ${config.username}: `);
  }
  if (config.clientAuth !== "none" && config.clientSecret === undefined) {
    config.clientSecret = await promptSecret(context, `Client secret for ${config.clientId}: `);
  }
  log.addSecret(config.password);
  log.addSecret(config.clientSecret);
  return config;
}
