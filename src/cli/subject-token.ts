import { resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { readNamedFile } from "../private-file.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import { readStdin } from "./read-stdin.js";

/** The variable `--grant token-exchange` reads the subject token from when no option names one. */
export const SUBJECT_TOKEN_VARIABLE = "MSX_SUBJECT_TOKEN";

/**
 * The most read of a subject token, from a file or standard input. A JWT or a SAML assertion is a
 * few KiB; a path pointing at something else (a log, `/dev/zero`) or a runaway pipe fails here,
 * not after filling memory (the same bound as the PEM files the CLI reads).
 */
export const MAX_SUBJECT_TOKEN_BYTES = 256 * 1024;

/** How to give the subject token, for the messages that refuse another way. */
const HOW =
  "pipe it with `--subject-token -`, name a file holding it with `--subject-token @FILE`, or set MSX_SUBJECT_TOKEN (environment or .env)";

/**
 * Refuses a subject token written on the command line (`--subject-token eyJ...`), before anything
 * is read or sent: other users can read argv in `ps` and /proc, and shells keep it in history.
 * The value is never repeated in the message. Only `-` and `@FILE` are accepted.
 */
export function checkSubjectTokenOption(option: string | undefined): void {
  if (option === undefined || option === "-" || option.startsWith("@")) return;
  throw new UsageError(
    `--subject-token takes - (standard input) or @FILE, never the token itself: a token on the command line is visible to other users (ps, /proc) and ends up in shell history. Instead, ${HOW}.`,
    "token",
  );
}

/**
 * The subject token of RFC 8693 §2.1: from standard input (`-`), a file (`@FILE`), else the
 * MSX_SUBJECT_TOKEN variable. One trailing newline is dropped (`echo` and editors add one).
 */
export async function readSubjectToken(
  option: string | undefined,
  context: Pick<CommandContext, "stdin" | "cwd">,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  checkSubjectTokenOption(option);
  let token: string;
  let from: string;
  if (option === "-") {
    from = "standard input";
    if (context.stdin.isTTY) {
      // Typed at a terminal, the token would be echoed on the screen.
      throw new UsageError(
        "--subject-token - reads the token from a pipe, e.g. `printf '%s' \"$CALLER_TOKEN\" | passgrant token --grant token-exchange --subject-token -`; standard input is a terminal.",
        "token",
      );
    }
    token = await readStdin(
      context.stdin,
      MAX_SUBJECT_TOKEN_BYTES,
      () =>
        new UsageError(
          `--subject-token -: standard input holds more than ${MAX_SUBJECT_TOKEN_BYTES} bytes, not a token.`,
          "token",
        ),
    );
  } else if (option !== undefined) {
    const name = option.slice(1);
    if (name === "") {
      throw new UsageError("--subject-token @FILE needs a file name after the @.", "token");
    }
    from = `the file ${name}`;
    token = readTokenFile(resolve(context.cwd, name), name);
  } else {
    from = SUBJECT_TOKEN_VARIABLE;
    const value = env[SUBJECT_TOKEN_VARIABLE];
    if (value === undefined || value === "") {
      throw new UsageError(
        `--grant token-exchange needs the subject token (the token to exchange, RFC 8693 §2.1): ${HOW}.`,
        "token",
      );
    }
    token = value;
  }
  token = token.replace(/\r?\n$/, "");
  if (token.trim() === "") {
    throw new ConfigError(`The subject token from ${from} is empty. Give the token to exchange.`);
  }
  return token;
}

/**
 * Reads the file through the one reader of files others may have put in the way (never blocks on
 * a FIFO, a regular file checked on the descriptor, bounded). Symbolic links are followed: mounted
 * secrets (a Kubernetes service account token) use them. No message quotes the content.
 */
function readTokenFile(path: string, shown: string): string {
  const where = `--subject-token @${shown}`;
  return readNamedFile(path, MAX_SUBJECT_TOKEN_BYTES, (problem, detail) => {
    switch (problem) {
      case "missing":
        return new UsageError(`${where}: ${path} does not exist.`, "token");
      case "not-a-file":
        return new UsageError(
          `${where}: ${path} is ${detail}, not a regular file. To read the token from a pipe, use --subject-token -.`,
          "token",
        );
      case "too-large":
        return new UsageError(
          `${where}: ${path} is larger than ${MAX_SUBJECT_TOKEN_BYTES} bytes, not a token.`,
          "token",
        );
      case "io":
        return new UsageError(`${where}: ${path} cannot be read (${detail}).`, "token");
    }
  });
}
