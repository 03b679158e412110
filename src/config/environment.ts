import { resolve } from "node:path";
import dotenv from "dotenv";
import { ConfigError } from "../errors.js";

/** Variables as passgrant sees them: the real environment with `.env` filled in underneath. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ReadEnvironmentOptions {
  /** The real environment. Default: `process.env` (read, never written). */
  env?: NodeJS.ProcessEnv | Environment;
  /** An explicit file (`--env-file`): it must exist. Without it, `.env` in `cwd` is read if present. */
  envFile?: string;
  /** Where to look for `.env`. Default: `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads `.env` (or `envFile`) into a copy of the environment. Variables already set in the real
 * environment win, as dotenv does by default, so `MSX_PASSWORD=... passgrant token` overrides the
 * file. `process.env` itself is left alone: the values live only in the returned object, so nothing
 * from the file leaks into child processes or unrelated libraries.
 */
export function readEnvironment(options: ReadEnvironmentOptions = {}): Environment {
  const env = { ...(options.env ?? process.env) };
  const explicit = options.envFile !== undefined;
  const path = resolve(options.cwd ?? process.cwd(), options.envFile ?? ".env");
  const result = dotenv.config({ path, processEnv: env, override: false, quiet: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicit) return env;
    throw new ConfigError(
      code === "ENOENT"
        ? `--env-file ${options.envFile}: no such file. Check the path, or leave --env-file out to read ./.env.`
        : `Could not read ${path} (${code ?? result.error.message}). Check that the file is readable.`,
      { cause: result.error },
    );
  }
  return env;
}
