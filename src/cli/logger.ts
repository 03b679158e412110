import { redact } from "../redact.js";
import type { CommandContext } from "./context.js";

/**
 * Diagnostics on stderr, so stdout stays clean for scripts (`TOKEN=$(passgrant token)`). Every
 * line goes through `redact` with the secrets known so far: defence in depth behind messages
 * that are already built from redacted values.
 */
export interface Logger {
  /** Always shown: notices the user should see (sandbox started, cleanup done). */
  info(line: string): void;
  /** Shown with a `warning:` prefix. */
  warn(line: string): void;
  /** Shown only with --verbose. */
  debug(line: string): void;
  readonly verbose: boolean;
  /** Secrets to mask in every later line (passwords, client secrets, tokens). */
  addSecret(secret: string | undefined): void;
  readonly secrets: ReadonlySet<string>;
}

export function createLogger(context: Pick<CommandContext, "stderr">, verbose: boolean): Logger {
  const secrets = new Set<string>();
  const write = (line: string) => context.stderr.write(`${redact(line, secrets)}\n`);
  return {
    verbose,
    secrets,
    info: (line) => write(`passgrant: ${line}`),
    warn: (line) => write(`passgrant: warning: ${line}`),
    debug: (line) => {
      if (verbose) write(`passgrant: ${line}`);
    },
    addSecret: (secret) => {
      if (secret) secrets.add(secret);
    },
  };
}
