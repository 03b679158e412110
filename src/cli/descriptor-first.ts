import { writeSync } from "node:fs";

/** Standard output or error as the executable hands it to commands. */
export interface DescriptorFirst<T> {
  /** The stream commands write to. */
  readonly stream: T;
  /** Node's own stream, once anything made it exist; undefined while only writes were made. */
  opened(): T | undefined;
}

type WriteCallback = (error?: Error | null) => void;

/** Bytes written to the descriptor before the stream takes over (see {@link descriptorFirst}). */
export const DESCRIPTOR_BUDGET = 16 * 1024;

/**
 * Standard output or error, written straight to its file descriptor until a command needs more
 * of the stream than `write`; from then on, Node's own stream (`open()`).
 *
 * Node makes `process.stdout` on first use: a `net.Socket` for a pipe, a `SyncWriteStream` for a
 * file, and either way its whole streams stack, about 4.5 ms of a `passgrant token --cache` that
 * writes one line (BENCHMARKS.md, issue 14 round 5). A write to the descriptor needs none of it.
 * Anything else (`isTTY`, `columns`, events, `end`) opens the stream, and so does a write the
 * descriptor refuses: a full non-blocking pipe (EAGAIN), where the stream queues what is left,
 * and a reader that has gone (EPIPE), which the stream then reports as its 'error' event, as it
 * always did. Writes stay in order: each one to the descriptor is complete when it returns.
 *
 * Only the first {@link DESCRIPTOR_BUDGET} bytes go to the descriptor. A pipe's buffer holds at
 * least that much on Linux and macOS, so these writes never wait for the reader; a larger output
 * (a paginated listing to a slow reader) goes through the stream, which waits without blocking
 * the process, as it must while requests are in flight and Ctrl-C is to be heard.
 */
export function descriptorFirst<T extends NodeJS.WritableStream>(
  fd: number,
  open: () => T,
): DescriptorFirst<T> {
  let real: T | undefined;
  let budget = DESCRIPTOR_BUDGET;
  const stream = (): T => {
    real ??= open();
    return real;
  };

  const writeToDescriptor = (
    chunk: string | Uint8Array,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean => {
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (real) {
      return typeof encodingOrCallback === "string" && typeof chunk === "string"
        ? real.write(chunk, encodingOrCallback, callback)
        : real.write(chunk, done);
    }
    const bytes =
      typeof chunk === "string"
        ? Buffer.from(chunk, typeof encodingOrCallback === "string" ? encodingOrCallback : "utf8")
        : chunk;
    if (bytes.byteLength > budget) return stream().write(bytes, done);
    budget -= bytes.byteLength;
    let written = 0;
    try {
      while (written < bytes.byteLength) {
        written += writeSync(fd, bytes, written, bytes.byteLength - written);
      }
    } catch {
      // EAGAIN, EPIPE, EBADF...: Node's stream takes over, and retries or reports as it does.
      return stream().write(bytes.subarray(written), done);
    }
    if (done) process.nextTick(done);
    return true;
  };

  const proxy = new Proxy({} as T, {
    get(_target, property) {
      if (property === "write" && real === undefined) return writeToDescriptor;
      const target = stream();
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_target, property, value) => Reflect.set(stream(), property, value),
    has: (_target, property) => property in stream(),
  });
  return { stream: proxy, opened: () => real };
}
