import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { ConfigError } from "../errors.js";

/**
 * dotenv's parser, loaded by the first `.env` there is to read: most runs (CI, services that set
 * real variables) have none, and `import("passgrant")` should not pay for a CommonJS module
 * it does not use. Required, not imported, because loading the environment is synchronous.
 */
let parseDotenv: ((text: string) => Record<string, string>) | undefined;
function dotenvParse(text: string): Record<string, string> {
  parseDotenv ??= (createRequire(import.meta.url)("dotenv") as typeof import("dotenv")).parse;
  return parseDotenv(text);
}

/** Variables as passgrant sees them: the real environment with `.env` filled in underneath. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ReadEnvironmentOptions {
  /** The real environment. Default: `process.env` (read, never written). */
  env?: NodeJS.ProcessEnv | Environment;
  /** An explicit file (`--dotenv`): it must exist. Without it, `.env` in `cwd` is read if present. */
  envFile?: string;
  /**
   * How the user named `envFile`, for the message when it is missing (`--dotenv`, `--env-file`,
   * `PASSGRANT_ENV_FILE`). Default: `--dotenv`.
   */
  envFileFrom?: string;
  /** Where to look for `.env`. Default: `process.cwd()`. */
  cwd?: string;
}

/** The environment and where each of its values came from. */
export interface LoadedEnvironment {
  readonly env: Environment;
  /**
   * Where `name`'s value came from, for messages: `"the environment"` or the file as the user
   * named it (`./.env`, `lab.env`); undefined when the variable is not set.
   */
  sourceOf(name: string): string | undefined;
}

/**
 * Reads `.env` (or `envFile`) into a copy of the environment. Variables already set in the real
 * environment win, as dotenv does by default, so `MSX_PASSWORD=... passgrant token` overrides the
 * file. `process.env` itself is left alone: the values live only in the returned object, so nothing
 * from the file leaks into child processes or unrelated libraries.
 */
export function readEnvironment(options: ReadEnvironmentOptions = {}): Environment {
  return loadEnvironment(options).env;
}

/** {@link readEnvironment}, also telling where each value came from (the environment or which file). */
export function loadEnvironment(options: ReadEnvironmentOptions = {}): LoadedEnvironment {
  const real: Environment = { ...(options.env ?? process.env) };
  const explicit = options.envFile !== undefined;
  const shownName = options.envFile ?? "./.env";
  const path = resolve(options.cwd ?? process.cwd(), options.envFile ?? ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicit)
      return { env: real, sourceOf: (name) => fromReal(real, name) };
    const from = options.envFileFrom ?? "--dotenv";
    throw new ConfigError(
      code === "ENOENT"
        ? `${from} ${options.envFile}: no such file (looked for ${path}). Check the path, or leave ${from} out to read ./.env.`
        : `Could not read ${path} (${code ?? (error as Error).message}). Check that the file is readable.`,
      { cause: error },
    );
  }
  const fromFile = dotenvParse(text);
  const env: Record<string, string | undefined> = { ...real };
  for (const [name, value] of Object.entries(fromFile)) {
    if (env[name] === undefined) env[name] = value;
  }
  return {
    env,
    sourceOf: (name) => {
      // Equal values are credited to the file: Node 20 itself loads a file named by `--env-file`
      // into the real environment (nodejs/node#54232), and either way the file says so too.
      if (
        Object.hasOwn(fromFile, name) &&
        (real[name] === undefined || real[name] === fromFile[name])
      ) {
        return shownName;
      }
      return fromReal(real, name);
    },
  };
}

function fromReal(real: Environment, name: string): string | undefined {
  return real[name] === undefined ? undefined : "the environment";
}
