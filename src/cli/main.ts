#!/usr/bin/env node
import { PassgrantError } from "../errors.js";
import { exitCodeForSignal, type Signal } from "./exit-codes.js";
import { run } from "./run.js";

/**
 * The `passgrant` executable. The first SIGINT or SIGTERM aborts the run's signal: in-flight
 * requests stop and the command cleans up (the demo deletes its tenant), then exits 130 or 143.
 * A second signal ends the process at once, saying what was left undone.
 */
const controller = new AbortController();
let interruptedBy: Signal | undefined;
let pendingCleanup: string | undefined;

const onSignal = (signal: Signal) => {
  if (interruptedBy) {
    process.stderr.write(
      `\npassgrant: ${signal} again, exiting now${pendingCleanup ? `: ${pendingCleanup}` : ""}\n`,
    );
    process.exit(exitCodeForSignal(signal));
  }
  interruptedBy = signal;
  controller.abort(new PassgrantError("ERR_ABORTED", `Interrupted by ${signal}.`));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
  interruptedBy: () => interruptedBy,
  setPendingCleanup: (note) => {
    pendingCleanup = note;
  },
});
// Exit explicitly: a keep-alive socket or a stdin listener must not hold the process open.
process.stdout.write("", () => process.exit(code));
