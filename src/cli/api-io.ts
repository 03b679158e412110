import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { redact } from "../redact.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./context.js";
import { cliSecrets } from "./logger.js";
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
    text = await readStream(context.stdin);
  } else if (option.startsWith("@")) {
    from = option.slice(1);
    try {
      text = readFileSync(resolve(context.cwd, from), "utf8");
    } catch (error) {
      throw new UsageError(
        `--body @${from}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
        "api",
      );
    }
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

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new UsageError(
        `the body from standard input is larger than ${MAX_BODY_BYTES} bytes.`,
        "api",
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
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
