import { type ParseArgsConfig, parseArgs } from "node:util";
import { ConfigError } from "../errors.js";
import { closest } from "../suggest.js";

/** A mistake on the command line. Exit code 2, like every configuration problem. */
export class UsageError extends ConfigError {
  constructor(message: string, command?: string) {
    super(`${message}\nRun \`passgrant ${command ? `${command} ` : ""}--help\` for usage.`);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * One option of a command: parseArgs' definition (which ignores the other keys), plus what shell
 * completion offers for its value. Declared once per command in command-options.ts, where the
 * command's parser and `passgrant completion` both read it.
 */
export type OptionDefinition = Options[string] & {
  /** The values the option accepts, offered by completion (and checked by the command). */
  readonly choices?: readonly string[];
  /**
   * A value completed from elsewhere: file names, the config file's profile names, or (`-p` of
   * `passgrant api`) the named operation's parameters from its spec.
   */
  readonly completes?: "file" | "profile" | "parameter";
};

/** A command's options by long name. */
export type CommandOptions = Readonly<Record<string, OptionDefinition>>;

/** What {@link parseCommandArgs} returns: parseArgs' precise result for the command's options. */
export type ParsedCommand<O extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: typeof globalOptions & O;
    strict: true;
    allowPositionals: boolean;
  }>
>;

/** Options every command takes. */
export const globalOptions = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  dotenv: { type: "string", completes: "file" },
  // The profile of the config file to use; run() reads it (profileFlag) before the command runs.
  profile: { type: "string", completes: "profile" },
  // Kept for where Node lets it through (Node 22, or Node 20 when the file exists); see platform.ts.
  "env-file": { type: "string", completes: "file" },
} as const satisfies CommandOptions;

/**
 * The value of the global `--profile NAME` (or `--profile=NAME`) among a command's arguments, the
 * last one winning as in parseArgs; options after `--` are arguments, not options. The command's
 * own parse still checks the flag (a missing value is a usage error there).
 */
export function profileFlag(args: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") break;
    if (arg === "--profile") value = args[++i];
    else if (arg.startsWith("--profile=")) value = arg.slice("--profile=".length);
  }
  return value;
}

/**
 * Flags that would put a secret on the command line, where `ps`, /proc/<pid>/cmdline and shell
 * history can read it. They are refused by name, with the safe alternative.
 */
const secretFlags: Record<string, string> = {
  password:
    "set MSX_PASSWORD (environment or .env), pipe it with --password-stdin, or answer the prompt",
  "client-secret": "set MSX_CLIENT_SECRET in the environment or .env, or answer the prompt",
  secret: "set MSX_CLIENT_SECRET in the environment or .env, or answer the prompt",
  // No command takes a token: passgrant signs in itself, and --cache reuses its tokens.
  token:
    "let passgrant obtain the token itself from the MSX_* configuration, and add --cache to reuse it across runs",
  "access-token":
    "let passgrant obtain the token itself from the MSX_* configuration, and add --cache to reuse it across runs",
  "refresh-token": "use --cache so passgrant keeps the refresh token in its 0600 cache file",
};

/**
 * `parseArgs` with the global options added, strict checking, and errors turned into
 * {@link UsageError}s. Secret-bearing flags are refused before parsing, without echoing a value.
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  allowPositionals = false,
): ParsedCommand<O> {
  for (const arg of args) {
    if (arg === "--") break;
    const name = /^--([^=]+)/.exec(arg)?.[1];
    const advice = name === undefined ? undefined : secretFlags[name];
    if (advice !== undefined) {
      throw new UsageError(
        `--${name} is not accepted: secrets on the command line are visible to other users (ps, /proc) and end up in shell history. Instead, ${advice}.`,
        command,
      );
    }
  }
  try {
    return parseArgs({
      args: [...args],
      options: { ...globalOptions, ...options },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    throw new UsageError(
      describeParseError(error, Object.keys({ ...globalOptions, ...options })),
      command,
    );
  }
}

/**
 * parseArgs' complaint in passgrant's words (its own texts carry stray quotes and, for commands
 * with positionals, advice about `--` that does not apply), with the closest option for a typo.
 * Only option names are repeated, never a value: a mistyped flag may carry a secret after `=`.
 */
function describeParseError(error: unknown, optionNames: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' =]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag !== undefined) {
    const meant = flag.startsWith("--") ? closest(flag.slice(2), optionNames) : undefined;
    return meant === undefined
      ? `unknown option ${flag}.`
      : `unknown option ${flag}; did you mean --${meant}?`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag !== undefined) {
    return /argument missing/.test(message)
      ? `${flag} needs a value: ${flag} VALUE.`
      : `${flag} takes no value.`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return "unexpected argument: this command takes options only.";
  }
  return message;
}

/** A non-negative integer option, or a usage error naming the flag. */
export function integerOption(
  command: string,
  flag: string,
  text: string | undefined,
  range: { min: number; max: number },
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new UsageError(
      `--${flag} must be a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(text)}.`,
      command,
    );
  }
  return value;
}
