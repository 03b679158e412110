import { type CommandOptions, globalOptions, type OptionDefinition } from "./args.js";
import type { ArgumentCompletion } from "./command-options.js";

/** One word completion offers, with what zsh and fish show beside it. */
export interface Candidate {
  readonly value: string;
  readonly description?: string;
}

/**
 * What to complete: these words, or the shell's own file names. `partial` words are the start of
 * a word (`-p page=`, the value still to type): the shell must not add a space after one.
 */
export type Completion =
  | { readonly kind: "words"; readonly candidates: readonly Candidate[]; readonly partial?: true }
  | { readonly kind: "files" };

/** The part of a command that completion reads (the entries of run.ts's table). */
export interface CompletableCommand {
  readonly name: string;
  readonly summary: string;
  readonly options: CommandOptions;
  readonly arguments?: readonly ArgumentCompletion[];
}

/** Where the candidates computed at run time come from. */
export interface CompletionSources {
  /** The operation ids of the spec the line names with --spec, else of the default spec. */
  operations(line: LineValues): Promise<readonly Candidate[]>;
  /** The config file's profile names. */
  profiles(): Promise<readonly string[]>;
  /**
   * The parameters `-p` can set for the operation the line names (`api OPERATION_ID`, or
   * `api METHOD PATH`), from the spec {@link operations} reads; none when it names none.
   */
  parameters(line: LineValues): Promise<readonly ParameterChoice[]>;
}

/** A parameter of an operation, as `-p NAME=VALUE` completion offers it. */
export interface ParameterChoice {
  readonly name: string;
  /** Shown beside it by zsh and fish: where it goes, its type, whether it is required. */
  readonly description: string;
  /** The values the spec lists for it (an enum, or true and false), offered after `NAME=`. */
  readonly values: readonly string[];
  /** An array parameter: `-p` gives it once per item, so it is offered again. */
  readonly repeats: boolean;
}

/** The option values and arguments already on the line that change what is offered. */
export interface LineValues {
  readonly spec?: string;
  readonly profile?: string;
  /** The positional arguments before the word being completed (`getBook`; `GET /books`). */
  readonly arguments: readonly string[];
  /** The `-p`/`--param` values before the word being completed. */
  readonly params: readonly string[];
}

const NONE: Completion = { kind: "words", candidates: [] };
const rootOptions = ["--help", "--version", "--profile"];

/**
 * The candidates for the last of `words` (the words after `passgrant`; the last is the one being
 * completed, empty after a space), from the commands' own option definitions. Never throws for
 * any input, and reads nothing but what {@link CompletionSources} reads.
 */
export async function completeWords(
  words: readonly string[],
  commands: readonly CompletableCommand[],
  sources: CompletionSources,
): Promise<Completion> {
  const current = words.at(-1) ?? "";
  // `passgrant --profile NAME <command> …`: run.ts moves a leading --profile after the command.
  const [leading, profile] = leadingProfile(words.slice(0, -1));
  if (profile === null)
    return completeValue({ type: "string", completes: "profile" }, current, "", sources);
  const [first, ...rest] = leading;
  const commandNames = () =>
    matching(
      current,
      commands.map((c) => ({ value: c.name, description: c.summary })),
    );
  if (first === undefined) {
    if (current.startsWith("--profile=")) {
      const prefix = "--profile=";
      return completeValue(
        { type: "string", completes: "profile" },
        current.slice(prefix.length),
        prefix,
        sources,
      );
    }
    return current.startsWith("-")
      ? matching(
          current,
          rootOptions.map((value) => ({ value })),
        )
      : commandNames();
  }
  if (first === "help") return rest.length === 0 ? commandNames() : NONE;
  const command = commands.find((c) => c.name === first);
  if (!command) return NONE;
  const options: CommandOptions = { ...globalOptions, ...command.options };
  const line = readLine(rest, options);
  if (profile !== undefined) line.profile ??= profile;

  if (line.awaiting) return completeValue(line.awaiting, current, "", sources, line);
  if (!line.afterDashes && current.startsWith("--") && current.includes("=")) {
    const name = current.slice(2, current.indexOf("="));
    const definition = options[name];
    if (definition?.type !== "string") return NONE;
    const prefix = current.slice(0, current.indexOf("=") + 1);
    return completeValue(definition, current.slice(prefix.length), prefix, sources, line);
  }
  if (!line.afterDashes && current.startsWith("-")) {
    const offered = Object.entries(options)
      .filter(([name, definition]) => definition.multiple || !line.given.has(name))
      .map(([name]) => ({ value: `--${name}` }));
    return matching(current, offered);
  }
  const argument = argumentAt(command, line.arguments);
  if (argument === undefined) return NONE;
  if (argument === "file") return { kind: "files" };
  if (argument === "operation") return matching(current, await sources.operations(line));
  if (argument === "profile") {
    return matching(
      current,
      (await sources.profiles()).map((value) => ({ value })),
    );
  }
  return matching(
    current,
    argument.map((value) => ({ value })),
  );
}

/** What `command` offers at its next argument, given the ones before it (`profile use`). */
function argumentAt(command: CompletableCommand, before: readonly string[]) {
  let argument = command.arguments?.[before.length];
  // An action's own argument: what the action before it takes.
  while (typeof argument === "object" && "after" in argument) {
    argument = argument.after[before.at(-1) ?? ""];
  }
  return argument;
}

/**
 * The words without a leading `--profile NAME` (or `--profile=NAME`), and NAME: `null` when the
 * word being completed is that NAME.
 */
function leadingProfile(words: readonly string[]): [readonly string[], string | null | undefined] {
  const [first, second] = words;
  if (first === "--profile") {
    return second === undefined ? [[], null] : [words.slice(2), second];
  }
  if (first?.startsWith("--profile=")) return [words.slice(1), first.slice("--profile=".length)];
  return [words, undefined];
}

interface ReadLine extends LineValues {
  spec?: string;
  profile?: string;
  /** The option whose value is the word being completed (`--grant <TAB>`). */
  awaiting?: OptionDefinition;
  arguments: string[];
  params: string[];
  given: Set<string>;
  afterDashes: boolean;
}

/** Walks the words before the one being completed as parseArgs would read them. */
function readLine(words: readonly string[], options: CommandOptions): ReadLine {
  const byShort = new Map(
    Object.entries(options).flatMap(([name, d]) => (d.short ? [[d.short, name] as const] : [])),
  );
  const line: ReadLine = {
    arguments: [],
    params: [],
    given: new Set(),
    afterDashes: false,
  };
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    if (line.afterDashes || word === "-" || !word.startsWith("-")) {
      line.arguments.push(word);
      continue;
    }
    if (word === "--") {
      line.afterDashes = true;
      continue;
    }
    const long = word.startsWith("--");
    const equals = word.indexOf("=");
    const name = long
      ? word.slice(2, equals < 0 ? undefined : equals)
      : (byShort.get(word.slice(1, 2)) ?? "");
    const definition = options[name];
    if (definition === undefined) continue;
    line.given.add(name);
    if (definition.type !== "string") continue;
    const inline = long
      ? equals < 0
        ? undefined
        : word.slice(equals + 1)
      : word.slice(2) || undefined;
    const value = inline ?? words[i + 1];
    if (inline === undefined) {
      if (i + 1 === words.length) {
        line.awaiting = definition;
        break;
      }
      i += 1;
    }
    if (name === "spec" && value !== undefined) line.spec = value;
    if (name === "profile" && value !== undefined) line.profile = value;
    if (definition.completes === "parameter" && value !== undefined) line.params.push(value);
  }
  return line;
}

async function completeValue(
  definition: OptionDefinition,
  current: string,
  prefix: string,
  sources: CompletionSources,
  line?: LineValues,
): Promise<Completion> {
  if (definition.completes === "file") return prefix === "" ? { kind: "files" } : NONE;
  if (definition.completes === "parameter") {
    return line === undefined ? NONE : completeParameter(current, prefix, line, sources);
  }
  const values =
    definition.completes === "profile" ? await sources.profiles() : (definition.choices ?? []);
  return matching(
    current,
    values.map((value) => ({ value })),
    prefix,
  );
}

/**
 * `-p <TAB>`: `NAME=` for each parameter of the line's operation not given yet (an array's
 * again), left open for the value; `-p NAME=<TAB>`: the values the spec lists for NAME.
 */
async function completeParameter(
  current: string,
  prefix: string,
  line: LineValues,
  sources: CompletionSources,
): Promise<Completion> {
  const parameters = await sources.parameters(line);
  const equals = current.indexOf("=");
  if (equals >= 0) {
    const name = current.slice(0, equals);
    const values = parameters.find((parameter) => parameter.name === name)?.values ?? [];
    return matching(
      current,
      values.map((value) => ({ value: `${name}=${value}` })),
      prefix,
    );
  }
  const given = new Set(line.params.map((param) => param.slice(0, param.indexOf("="))));
  const names = matching(
    current,
    parameters
      .filter((parameter) => parameter.repeats || !given.has(parameter.name))
      .map(({ name, description }) => ({ value: `${name}=`, description })),
    prefix,
  );
  return { ...names, partial: true };
}

function matching(
  current: string,
  candidates: readonly Candidate[],
  prefix = "",
): Extract<Completion, { kind: "words" }> {
  return {
    kind: "words",
    candidates: candidates
      .filter((candidate) => candidate.value.startsWith(current))
      .map((candidate) => ({ ...candidate, value: `${prefix}${candidate.value}` })),
  };
}
