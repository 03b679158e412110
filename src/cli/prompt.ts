import { abortedError } from "./abortable.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import { readStdin } from "./read-stdin.js";

/** The most `--password-stdin` reads: a password, not a file piped in by mistake. */
const MAX_PASSWORD_BYTES = 64 * 1024;

/** Reads standard input to the end (for `--password-stdin`), dropping one trailing newline. */
export async function readStdinSecret(stdin: CommandContext["stdin"]): Promise<string> {
  const text = await readStdin(
    stdin,
    MAX_PASSWORD_BYTES,
    () =>
      new UsageError(
        `--password-stdin: standard input holds more than ${MAX_PASSWORD_BYTES} bytes, not a password.`,
      ),
  );
  return text.replace(/\r?\n$/, "");
}

/**
 * Asks for a secret on the terminal without echoing it: the prompt goes to stderr, the terminal is
 * put in raw mode, and keystrokes are collected until Enter. Ctrl-C aborts like a signal would.
 */
export function promptSecret(
  context: Pick<CommandContext, "stdin" | "stderr" | "signal">,
  question: string,
): Promise<string> {
  const { stdin, stderr, signal } = context;
  return new Promise((resolve, reject) => {
    let answer = "";
    stderr.write(question);
    stdin.setRawMode?.(true);
    stdin.resume();
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      signal.removeEventListener("abort", onAbort);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onAbort = () => finish(abortedError(signal));
    const onData = (data: Buffer | string) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") {
          process.kill(process.pid, "SIGINT");
          return;
        }
        if (char === "\u007f" || char === "\b") answer = [...answer].slice(0, -1).join("");
        else if (char >= " ") answer += char;
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    stdin.on("data", onData);
  });
}
