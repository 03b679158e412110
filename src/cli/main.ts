#!/usr/bin/env node
import { nodeV8 } from "../lazy-builtins.js";
import { AbortedError } from "../transport/aborted-error.js";
import { beforeFetchLoads } from "./before-fetch-loads.js";
import { descriptorFirst } from "./descriptor-first.js";
import { exitCodeForSignal, type Signal } from "./exit-codes.js";
import { run } from "./run.js";

/**
 * The `passgrant` executable. The first SIGINT or SIGTERM aborts the run's signal: in-flight
 * requests stop and the command cleans up (the demo deletes its tenant), then exits 130 or 143.
 * A second signal ends the process at once, saying what was left undone.
 */
// Node's fetch parses HTTP with llhttp compiled to WebAssembly. By default V8 also compiles that
// module with its optimising tier on the first request: about 30 MiB of peak memory and 100 ms or
// more, twice what the whole command needs otherwise, for a process that parses a handful of
// responses. The baseline compiler (Liftoff) alone serves a CLI's few requests just as well.
// Set for this executable only (never by the library: it would change an application's whole
// process), and only as Node's fetch loads (it compiles the parser then): loading node:v8 costs
// about 6 ms, and a token from the cache or over node:http (formsOverNodeHttp) never uses fetch.
beforeFetchLoads(() => nodeV8().setFlagsFromString("--liftoff-only"));

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
  controller.abort(new AbortedError({ reason: signal }));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

/**
 * `passgrant tenants list | head -1`: once the reader has gone, a write fails with EPIPE, which
 * Node raises asynchronously as an 'error' event on the stream (an uncaught one crashes with a
 * stack). The output is no longer wanted, so the run is stopped like an interruption (in-flight
 * requests end, the demo still deletes its tenant) and the process exits 0 without a word, as
 * ripgrep and git-less pipelines expect. An error on stderr has nowhere to be reported: ignored.
 * Both streams are made only when a command needs more than writes (descriptor-first.ts).
 */
let outputClosed = false;
const stdout = descriptorFirst(1, () =>
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (outputClosed) return;
    outputClosed = true;
    controller.abort(
      new AbortedError({ reason: `standard output was closed, ${error.code ?? "error"}` }),
    );
  }),
);
const stderr = descriptorFirst(2, () => process.stderr.on("error", () => {}));

// No top-level await: the executable is bundled as CommonJS (scripts/bundle-cli.mjs).
void run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  // A getter: Node sets standard input up when it is first read (a few ms, streams and all), and
  // most commands never read it.
  get stdin() {
    return process.stdin;
  },
  stdout: stdout.stream,
  stderr: stderr.stream,
  signal: controller.signal,
  interruptedBy: () => interruptedBy,
  outputClosed: () => outputClosed,
  setPendingCleanup: (note) => {
    pendingCleanup = note;
  },
}).then((code) => {
  // Exit explicitly: a keep-alive socket or a stdin listener must not hold the process open.
  // Output the stream still holds (a slow pipe) is flushed first; a descriptor write is done.
  const exitCode = outputClosed ? 0 : code;
  const opened = stdout.opened();
  if (!opened || outputClosed || process.stdout.destroyed) process.exit(exitCode);
  opened.write("", () => process.exit(exitCode));
});
