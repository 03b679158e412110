import { readFileSync } from "node:fs";
import { configVariables } from "../config/index.js";
import { describeProfile, type SelectedProfile, selectProfile } from "../config/profiles.js";
import { PassgrantError } from "../errors.js";
import { redact } from "../redact.js";
import { closest } from "../suggest.js";
import { messageForCli } from "./advice.js";
import { type CommandOptions, profileFlag, UsageError } from "./args.js";
import {
  type ArgumentCompletion,
  apiOptions,
  completionOptions,
  completionShells,
  credentialHelperOptions,
  demoOptions,
  generateOptions,
  gitCredentialOperations,
  loginOptions,
  logoutOptions,
  profileArguments,
  profileOptions,
  sandboxOptions,
  statusOptions,
  tenantActions,
  tenantsOptions,
  tokenOptions,
} from "./command-options.js";
import { type Command, type CommandContext, withProfile } from "./context.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { cliSecrets } from "./logger.js";
import { terminalSafe } from "./terminal-text.js";

/** A command of the CLI: what `--help` lists, what completion offers, and how to load it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Its options besides the global ones (the definitions its parser uses). */
  readonly options: CommandOptions;
  /** What completion offers at each positional argument. */
  readonly arguments?: readonly ArgumentCompletion[];
  readonly load: () => Promise<Command>;
}

/**
 * The commands, loaded on demand: `passgrant token` in a script's loop should not pay for
 * loading the sandbox's OpenAPI validator.
 */
export const commands: readonly CommandEntry[] = [
  {
    name: "demo",
    summary:
      "the guide's create/list/delete tenant demo (embedded sandbox if nothing is configured)",
    options: demoOptions,
    load: async () => (await import("./commands/demo.js")).demoCommand,
  },
  {
    name: "token",
    summary: "print an access token for scripts (TOKEN=$(passgrant token))",
    options: tokenOptions,
    load: async () => (await import("./commands/token.js")).tokenCommand,
  },
  {
    name: "login",
    summary: "sign in with the browser (--web; authorization code with PKCE) and cache the token",
    options: loginOptions,
    load: async () => (await import("./commands/login.js")).loginCommand,
  },
  {
    name: "credential-helper",
    summary: "answer git's credential requests with the access token (credential-helper git get)",
    options: credentialHelperOptions,
    arguments: [["git"], gitCredentialOperations],
    load: async () => (await import("./commands/credential-helper.js")).credentialHelperCommand,
  },
  {
    name: "logout",
    summary: "revoke the cached token at the server (RFC 7009) and remove it from the cache",
    options: logoutOptions,
    load: async () => (await import("./commands/logout.js")).logoutCommand,
  },
  {
    name: "status",
    summary: "who is signed in for each profile, until when, and whether the platform answers",
    options: statusOptions,
    load: async () => (await import("./commands/status.js")).statusCommand,
  },
  {
    name: "tenants",
    summary: "list, get, create, update and delete tenants",
    options: tenantsOptions,
    arguments: [tenantActions],
    load: async () => (await import("./commands/tenants.js")).tenantsCommand,
  },
  {
    name: "api",
    summary: "call any operation of the spec by its id (or METHOD PATH); --list shows them",
    options: apiOptions,
    arguments: ["operation"],
    load: async () => (await import("./commands/api.js")).apiCommand,
  },
  {
    name: "generate",
    summary: "write types and an operation table for an OpenAPI spec (createSession<…>())",
    options: generateOptions,
    arguments: ["file"],
    load: async () => (await import("./commands/generate.js")).generateCommand,
  },
  {
    name: "sandbox",
    summary: "run the embedded MSX-compatible sandbox server until Ctrl-C",
    options: sandboxOptions,
    load: async () => (await import("./commands/sandbox.js")).sandboxCommand,
  },
  {
    name: "profile",
    summary: "list, show, add, remove and pick (use) the config file's named profiles",
    options: profileOptions,
    arguments: profileArguments,
    load: async () => (await import("./commands/profile.js")).profileCommand,
  },
  {
    name: "completion",
    summary: "print the shell completion script for bash, zsh or fish (source it in your shell)",
    options: completionOptions,
    arguments: [completionShells],
    load: async () => (await import("./commands/completion.js")).completionCommand,
  },
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const entries = Object.entries(configVariables);
  const nameWidth = Math.max(...entries.map(([name]) => name.length));
  const variables = entries
    .map(([name, { summary }]) => `  ${name.padEnd(nameWidth)} ${summary}`)
    .join("\n");
  return `Usage: passgrant <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`passgrant <command> --help\` (or \`passgrant help <command>\`) for a command's options.
Every command takes --verbose (request log on stderr, secrets redacted), --dotenv FILE,
--profile NAME and --help.

Options:
  --version  print passgrant's version
  -h, --help this help

Configuration (environment variables; a .env file in the current directory is read too,
or the file named by --dotenv FILE or PASSGRANT_ENV_FILE; the real environment wins over it):
${variables}

Profiles: named non-secret settings in $XDG_CONFIG_HOME/passgrant/config.json (else
~/.config/passgrant/config.json; PASSGRANT_CONFIG names another file). --profile NAME, else
PASSGRANT_PROFILE, else the file's current profile is used; MSX_* variables (environment or .env)
override its values one by one. See \`passgrant profile --help\`.

Exit codes:
  0    success
  1    unexpected error (a bug: rerun with --verbose for the stack)
  2    bad usage or configuration (the message lists every problem)
  3    the token endpoint refused (invalid_client, invalid_grant, ...) or answered nonsense,
       or the browser sign-in failed (access_denied, state mismatch, no answer in time);
       passgrant status: a configuration has no valid or refreshable cached token
  4    an API call failed: an HTTP error, a response too large, or not the expected JSON
  5    network failure: connection, DNS, TLS certificate or timeout (passgrant status: a
       configured platform does not answer)
  6    the --cache token cache could not be used (unwritable, unsafe, not passgrant's, locked)
  130  interrupted by Ctrl-C (SIGINT); 143 terminated (SIGTERM)`;
}

/** `--profile NAME` (or `--profile=NAME`) before the command name, moved after it. */
function leadingProfile(argv: readonly string[]): readonly string[] {
  if (argv[0] === "--profile" && argv.length >= 3)
    return [...argv.slice(2), "--profile", argv[1] as string];
  if (argv[0]?.startsWith("--profile=") && argv.length >= 2) return [...argv.slice(1), argv[0]];
  return argv;
}

/**
 * The run's profile, selected once, when a command first asks (a broken config file stops only
 * the commands that read it); `chosen` is what was selected, for the closing message.
 */
function profileSelection(context: CommandContext, args: readonly string[]) {
  let selected: { profile: SelectedProfile | undefined } | undefined;
  return {
    get: (): SelectedProfile | undefined => {
      selected ??= { profile: selectProfile(context.env, profileFlag(args)) };
      return selected.profile;
    },
    chosen: () => selected?.profile,
  };
}

/**
 * An error whose advice names settings (a `hint`: the client authentication mode, the token URL,
 * the CA file) says which profile was in use, since a value may be the profile's: the user then
 * knows to fix the profile or override it with the variable. Configuration problems name the
 * profile themselves, value by value.
 */
function profileNote(error: PassgrantError, profile: SelectedProfile | undefined): string {
  const hint = (error as { hint?: unknown }).hint;
  if (profile === undefined || typeof hint !== "string" || hint === "") return "";
  return `\n(Settings came from ${describeProfile(profile)} where no MSX_* variable set them: \`passgrant profile show ${profile.name}\` shows where each value comes from.)`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Runs one CLI invocation and returns its exit code. Never throws: errors are reported here, as
 * one message for a user's mistake or a platform's refusal, with a stack only for the unexpected
 * and only with --verbose. Messages are redacted once more on the way out.
 */
export async function run(argv: readonly string[], context: CommandContext): Promise<number> {
  // `passgrant help token` is `passgrant token --help`; `passgrant --profile lab token` is
  // `passgrant token --profile lab` (a global option may come before the command, as in kubectl).
  const [name, ...rest] =
    argv[0] === "help" && argv.length === 2 ? [argv[1] as string, "--help"] : leadingProfile(argv);
  const selection = profileSelection(context, rest);
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  // Redacted, and neutralised for the terminal: messages quote servers.
  const fail = (line: string) =>
    context.stderr.write(
      `passgrant: ${terminalSafe(redact(line, cliSecrets()), { keepNewlines: true })}\n`,
    );
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      (name === undefined ? context.stderr : context.stdout).write(`${usage()}\n`);
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (name === "--version") {
      context.stdout.write(`${version()}\n`);
      return ExitCode.ok;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) {
      const meant = closest(
        name,
        commands.map((c) => c.name),
      );
      throw new UsageError(
        `Unknown command ${JSON.stringify(name)}${meant ? `; did you mean ${meant}?` : "."} Commands: ${commands.map((c) => c.name).join(", ")}.`,
      );
    }
    const command = await entry.load();
    return await command.run(rest, withProfile(context, selection.get));
  } catch (error) {
    // The reader of stdout went away (`| head -1`): nothing more is wanted, not even a message.
    if (context.outputClosed?.()) return ExitCode.ok;
    const interrupted = context.interruptedBy();
    if (interrupted) {
      fail(`interrupted by ${interrupted}`);
    } else if (error instanceof PassgrantError) {
      fail(messageForCli(error) + profileNote(error, selection.chosen()));
      if (verbose && error.cause instanceof Error) fail(`caused by: ${error.cause.message}`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      fail(`unexpected error: ${message}`);
      if (verbose && error instanceof Error && error.stack) fail(error.stack);
      else fail("this is likely a bug in passgrant; rerun with --verbose to see the stack trace");
    }
    return exitCodeFor(error, interrupted);
  }
}
