import { redact, type SecretSource } from "../redact.js";
import type { CommandContext } from "./context.js";
import { terminalSafe } from "./terminal-text.js";

/**
 * Diagnostics on stderr, so stdout stays clean for scripts (`TOKEN=$(passgrant token)`). Every
 * line goes through `redact` with the secrets known so far (defence in depth behind messages
 * that are already built from redacted values) and `terminalSafe` (lines may quote a server).
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
  /** Secrets read at each line: a session's token provider knows tokens issued later. */
  addSecretSource(source: SecretSource): void;
}

/**
 * The secrets of this CLI process, shared by every logger and by the final error line that
 * `run` prints (it has no logger). One process runs one command, so one registry is enough.
 */
const fixedSecrets = new Set<string>();
const secretSources = new Set<SecretSource>();

/** Every secret the CLI process knows right now (config values, tokens issued so far). */
export function cliSecrets(): string[] {
  const out = [...fixedSecrets];
  for (const source of secretSources) {
    for (const secret of source()) if (secret) out.push(secret);
  }
  return out;
}

export function createLogger(context: Pick<CommandContext, "stderr">, verbose: boolean): Logger {
  const write = (line: string) =>
    context.stderr.write(`${terminalSafe(redact(line, cliSecrets()), { keepNewlines: true })}\n`);
  return {
    verbose,
    info: (line) => write(`passgrant: ${line}`),
    warn: (line) => write(`passgrant: warning: ${line}`),
    debug: (line) => {
      if (verbose) write(`passgrant: ${line}`);
    },
    addSecret: (secret) => {
      if (secret) fixedSecrets.add(secret);
    },
    addSecretSource: (source) => {
      secretSources.add(source);
    },
  };
}
