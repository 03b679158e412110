import { resolve } from "node:path";
import { readNamedFile } from "../private-file.js";
import { redact } from "../redact.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import { cliSecrets } from "./logger.js";
import { readStdin } from "./read-stdin.js";
import { terminalSafe } from "./terminal-text.js";

/** `passgrant api`'s request body input and `--include` output. */

/** The largest request body read from a file or stdin. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export /** `--body JSON`, `--body @FILE` or `--body -` (stdin), parsed: a usage error when not JSON. */
async function readBody(option: string, context: CommandContext): Promise<unknown> {
  let text: string;
  let from: string;
  if (option === "-") {
    from = "standard input";
    text = await readStdin(
      context.stdin,
      MAX_BODY_BYTES,
      () =>
        new UsageError(
          `the body from standard input is larger than ${MAX_BODY_BYTES} bytes.`,
          "api",
        ),
    );
  } else if (option.startsWith("@")) {
    from = option.slice(1);
    text = readBodyFile(resolve(context.cwd, from), from);
  } else {
    from = "--body";
    text = option;
  }
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new UsageError(`the body from ${from} is larger than ${MAX_BODY_BYTES} bytes.`, "api");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the body from ${from} is not JSON: ${(error as Error).message}.`, "api");
  }
}

/** Headers whose values are credentials: shown as `[redacted]` by --include. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "set-cookie",
  "cookie",
  "www-authenticate",
  "proxy-authenticate",
]);

/** `--include`: the status line and headers, credentials redacted, safe for a terminal. */
export function describeResponse(response: Response): string {
  const lines = [`HTTP ${response.status} ${response.statusText}`.trimEnd()];
  for (const [name, value] of response.headers) {
    lines.push(`${name}: ${CREDENTIAL_HEADERS.has(name.toLowerCase()) ? "[redacted]" : value}`);
  }
  return `${lines.map((line) => terminalSafe(redact(line, cliSecrets()))).join("\n")}\n`;
}

/**
 * `--body @FILE`, read bounded and without blocking on a FIFO (the reader of files others may put
 * in the way): `--body @/dev/zero` is refused, not read forever.
 */
function readBodyFile(path: string, shown: string): string {
  const where = `--body @${shown}`;
  return readNamedFile(path, MAX_BODY_BYTES, (problem, detail) => {
    switch (problem) {
      case "not-a-file":
        return new UsageError(
          `${where}: ${shown} is ${detail}, not a regular file. To read the body from a pipe, use --body -.`,
          "api",
        );
      case "too-large":
        return new UsageError(`${where}: ${shown} is larger than ${MAX_BODY_BYTES} bytes.`, "api");
      default:
        return new UsageError(`${where}: cannot read the file (${detail}).`, "api");
    }
  });
}
