import type { SelectedProfile } from "../config/profiles.js";
import type { Signal } from "./exit-codes.js";

/** What a command may touch: its streams, the real environment, and the run's interruption signal. */
export interface CommandContext {
  /** The real environment (`.env` is read on top of it by the command, into a copy). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * May be a getter (the executable's is: Node sets standard input up on first use, a few ms a
   * command that never reads it need not pay). Copy a context with {@link withProfile}, not a
   * spread, which would read it.
   */
  readonly stdin: NodeJS.ReadableStream & {
    isTTY?: boolean;
    setRawMode?: (mode: boolean) => unknown;
  };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborted on the first SIGINT or SIGTERM: in-flight work stops, cleanup runs. */
  readonly signal: AbortSignal;
  /** Which signal interrupted the run, if any. */
  interruptedBy(): Signal | undefined;
  /**
   * True once standard output was closed by its reader (`| head -1`): the run was aborted and
   * ends quietly with exit 0. Absent in embedders that never close it.
   */
  outputClosed?(): boolean;
  /**
   * What is left to do if the user insists (a second Ctrl-C ends the process at once): the demo
   * names the tenant it has not deleted yet, so the user knows what to clean up by hand.
   */
  setPendingCleanup(note: string | undefined): void;
  /**
   * The config file's profile this run uses (`--profile NAME`, else PASSGRANT_PROFILE, else the
   * file's `current`), or undefined for none; its `name` is what an identity belongs to (the
   * token cache, `passgrant status`). Read on the first call: an unknown name or a bad config
   * file throws a ConfigError (exit 2) then, so a command that never asks is not stopped by it.
   * Set by run(); absent in embedders that call a command directly (no profile then).
   */
  profile?(): SelectedProfile | undefined;
}

/** One CLI command (its one-line summary lives in the registry in run.ts). */
export interface Command {
  readonly name: string;
  run(args: readonly string[], context: CommandContext): Promise<number>;
}

/** `context` with `profile` as its profile, its other members copied as they are (getters too). */
export function withProfile(
  context: CommandContext,
  profile: () => SelectedProfile | undefined,
): CommandContext {
  return Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(context),
      profile: { value: profile, enumerable: true },
    },
  ) as CommandContext;
}
