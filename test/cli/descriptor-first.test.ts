import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { DESCRIPTOR_BUDGET, descriptorFirst } from "../../src/cli/descriptor-first.js";
import { tempDir } from "./run-cli.js";

// The executable's standard output and error (src/cli/main.ts): straight to the descriptor while
// commands only write, Node's stream once they need more of it, or once the descriptor refuses.

/** A stand-in for process.stdout that records what reaches it. */
function recordingStream(): Writable & { isTTY: boolean; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return Object.assign(stream, {
    isTTY: false,
    text: () => Buffer.concat(chunks).toString("utf8"),
  });
}

const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
});

function scratchFile(): { path: string; fd: number } {
  const path = join(tempDir(), "out.txt");
  const fd = openSync(path, "w");
  fds.push(fd);
  return { path, fd };
}

describe("descriptorFirst", () => {
  it("writes to the descriptor, in order and whole, without making the stream", async () => {
    const { path, fd } = scratchFile();
    let opened = 0;
    const out = descriptorFirst(fd, () => {
      opened++;
      return recordingStream();
    });
    const called: string[] = [];
    out.stream.write("token ");
    out.stream.write(Buffer.from("Zoë 🐝 "));
    out.stream.write("é".repeat(5_000), () => called.push("callback"));
    expect(readFileSync(path, "utf8")).toBe(`token Zoë 🐝 ${"é".repeat(5_000)}`);
    expect(opened).toBe(0);
    expect(out.opened()).toBeUndefined();
    await new Promise((resolve) => process.nextTick(resolve));
    expect(called).toEqual(["callback"]);
  });

  it("makes the stream for anything but a write, and writes through it from then on", () => {
    const { path, fd } = scratchFile();
    const real = recordingStream();
    const out = descriptorFirst(fd, () => real);
    out.stream.write("before ");
    expect(out.stream.isTTY).toBe(false);
    expect(out.opened()).toBe(real);
    out.stream.write("after");
    expect(readFileSync(path, "utf8")).toBe("before ");
    expect(real.text()).toBe("after");
  });

  it("hands output past the budget to the stream: a slow reader never blocks the process", () => {
    const { path, fd } = scratchFile();
    const real = recordingStream();
    const out = descriptorFirst(fd, () => real);
    const first = "a".repeat(DESCRIPTOR_BUDGET - 10);
    out.stream.write(first);
    out.stream.write("b".repeat(20));
    out.stream.write("c");
    expect(readFileSync(path, "utf8")).toBe(first);
    expect(real.text()).toBe(`${"b".repeat(20)}c`);
  });

  it("hands a write the descriptor refuses to the stream, which reports or retries it", () => {
    // No process has this descriptor open: EBADF, as a closed standard output gives.
    const real = recordingStream();
    const out = descriptorFirst(1_000_000, () => real);
    expect(out.stream.write("line\n")).toBe(true);
    expect(out.opened()).toBe(real);
    expect(real.text()).toBe("line\n");
  });
});
