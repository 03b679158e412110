import { parseCommandArgs, UsageError } from "../args.js";
import { completionOptions, completionShells } from "../command-options.js";
import { type Candidate, type Completion, completeWords } from "../completion-candidates.js";
import { completionScripts } from "../completion-scripts.js";
import { completionSources } from "../completion-sources.js";
import type { Command, CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { commands } from "../run.js";
import { terminalSafe } from "../terminal-text.js";

type Shell = (typeof completionShells)[number];

const help = `Usage: passgrant completion bash|zsh|fish

Prints the shell completion script for passgrant. Load it once in your shell's startup file:

  bash   source <(passgrant completion bash)                                   in ~/.bashrc
  zsh    source <(passgrant completion zsh)                  in ~/.zshrc, after compinit
  fish   passgrant completion fish > ~/.config/fish/completions/passgrant.fish

TAB then completes commands, options, option values (--grant, --format, ...), file names,
profile names (--profile <TAB>), the operation ids of the spec (passgrant api <TAB>: the
local file given with --spec, else the profile's spec, else the bundled MSX spec; a spec URL is
never fetched while completing) and that operation's parameters (passgrant api OPERATION_ID
-p <TAB> offers NAME=, then the values the spec lists for NAME).

Options:
  -h, --help    show this help`;

export const completionCommand: Command = {
  name: "completion",
  async run(args, context) {
    // The shells' callback: its words are the user's line, not options of this command.
    if (args[0] === "complete") return answer(args.slice(1), context);
    const { values, positionals } = parseCommandArgs("completion", args, completionOptions, true);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const [shell, ...extra] = positionals;
    if (!isShell(shell) || extra.length > 0) {
      throw new UsageError(
        `Name one shell: passgrant completion ${completionShells.join("|")}.`,
        "completion",
      );
    }
    context.stdout.write(completionScripts[shell]);
    return ExitCode.ok;
  },
};

function isShell(name: string | undefined): name is Shell {
  return (completionShells as readonly (string | undefined)[]).includes(name);
}

/**
 * `passgrant completion complete bash WORDBREAKS LINE` or `… zsh|fish -- WORD…`: prints what the
 * script shows. Nothing is sent over the network, nothing secret is read, and any failure just
 * offers nothing (exit 0): a TAB must never print an error into the user's line.
 */
async function answer(args: readonly string[], context: CommandContext): Promise<number> {
  const [shell, ...rest] = args;
  if (!isShell(shell)) return ExitCode.usage;
  let words: string[];
  let wordBreaks = "";
  if (shell === "bash") {
    wordBreaks = rest[0] ?? "";
    words = shellWords(rest[1] ?? "").slice(1);
  } else {
    words = rest[0] === "--" ? rest.slice(1) : [...rest];
  }
  if (words.length === 0) words = [""];
  let completion: Completion;
  try {
    completion = await completeWords(words, commands, completionSources(context));
  } catch {
    completion = { kind: "words", candidates: [] };
  }
  context.stdout.write(render(shell, completion, words.at(-1) ?? "", wordBreaks));
  return ExitCode.ok;
}

/** The callback's answer in the shell's format (see completion-scripts.ts). */
function render(shell: Shell, completion: Completion, current: string, wordBreaks: string): string {
  if (completion.kind === "files") return "files\n";
  // Only words a user could type: no whitespace or control characters (a spec is not trusted
  // text, and the shell would print it into the terminal).
  const candidates = completion.candidates.filter(({ value }) => /^[^\s\p{Cc}]+$/u.test(value));
  const lines = candidates.map((candidate) => line(shell, candidate, current, wordBreaks));
  return [completion.partial ? "partial" : "words", ...lines, ""].join("\n");
}

function line(
  shell: Shell,
  { value, description }: Candidate,
  current: string,
  wordBreaks: string,
) {
  const shown = description === undefined ? "" : terminalSafe(description);
  if (shell === "zsh") {
    const word = value.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
    return shown === "" ? word : `${word}:${shown}`;
  }
  if (shell === "fish") return shown === "" ? value : `${value}\t${shown}`;
  // Readline replaces only the text after the word's last break character (`--grant=` then
  // `cl`): the candidate loses what comes before it.
  let cut = 0;
  for (const [i, char] of [...current].entries()) {
    if (wordBreaks.includes(char) && !/[\s"']/.test(char)) cut = i + 1;
  }
  return value.slice(cut);
}

/**
 * The words of a bash command line as the shell would pass them: whitespace separates, quotes
 * and backslashes escape. An unfinished quote still yields its word (the one being typed); a line
 * ending in whitespace ends with an empty word (the next one).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
        i += 1;
        word += line[i];
      } else word += char;
    } else if (/\s/.test(char)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else {
      started = true;
      if (char === "'" || char === '"') quote = char;
      else if (char === "\\" && i + 1 < line.length) {
        i += 1;
        word += line[i];
      } else word += char;
    }
  }
  words.push(word);
  return words;
}
