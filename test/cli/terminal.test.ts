import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { tenantsCommand } from "../../src/cli/commands/tenants.js";
import { createProgress } from "../../src/cli/progress.js";
import { promptSecret, readStdinSecret } from "../../src/cli/prompt.js";
import { tempDir } from "./run-cli.js";

/** A stream that claims to be a terminal, recording what is written and raw-mode switches. */
function fakeTerminal() {
  const stream = new PassThrough() as PassThrough & {
    isTTY: boolean;
    setRawMode: (mode: boolean) => void;
    rawModes: boolean[];
  };
  stream.isTTY = true;
  stream.rawModes = [];
  stream.setRawMode = (mode) => {
    stream.rawModes.push(mode);
  };
  let written = "";
  stream.on("data", (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { stream, written: () => written };
}

describe("promptSecret", () => {
  it("reads a line in raw mode without echoing it, handling backspace", async () => {
    const stdin = fakeTerminal();
    const stderr = fakeTerminal();
    const answer = promptSecret(
      { stdin: stdin.stream, stderr: stderr.stream, signal: new AbortController().signal },
      "Password for superuser: ",
    );
    stdin.stream.write("hunter3\u007f2\r");
    expect(await answer).toBe("hunter2");
    expect(stdin.stream.rawModes).toEqual([true, false]);
    expect(stderr.written()).toBe("Password for superuser: \n");
  });

  it("rejects when the run is interrupted", async () => {
    const stdin = fakeTerminal();
    const controller = new AbortController();
    const answer = promptSecret(
      { stdin: stdin.stream, stderr: fakeTerminal().stream, signal: controller.signal },
      "Password: ",
    );
    controller.abort();
    await expect(answer).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(stdin.stream.rawModes).toEqual([true, false]);
  });
});

describe("readStdinSecret", () => {
  it("drops exactly one trailing newline", async () => {
    const stdin = new PassThrough();
    stdin.end("pa ss\n\n");
    expect(await readStdinSecret(stdin)).toBe("pa ss\n");
  });
});

describe("createProgress", () => {
  it("redraws one line on a terminal and clears it when done", () => {
    const stderr = fakeTerminal();
    const progress = createProgress(stderr.stream);
    progress.update("fetched 10 of 20");
    progress.update("fetched 20 of 20");
    progress.done();
    expect(stderr.written()).toBe(
      "\r\u001b[2Kfetched 10 of 20\r\u001b[2Kfetched 20 of 20\r\u001b[2K",
    );
  });

  it("is silent when stderr is not a terminal", () => {
    const stderr = fakeTerminal();
    stderr.stream.isTTY = false;
    const progress = createProgress(stderr.stream);
    progress.update("fetched 10 of 20");
    progress.done();
    expect(stderr.written()).toBe("");
  });
});

describe("usage mistakes on a terminal", () => {
  it("are reported before the password prompt", async () => {
    const stdin = fakeTerminal();
    const stderr = fakeTerminal();
    // Answers the prompt, if one wrongly comes.
    stderr.stream.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Password")) {
        setImmediate(() => stdin.stream.write("typed-in-vain\r"));
      }
    });
    const run = tenantsCommand.run(["list", "--sort-order", "up"], {
      env: {
        MSX_BASE_URL: "https://msx.example.com",
        MSX_CLIENT_ID: "client",
        MSX_CLIENT_SECRET: "secret",
        MSX_USERNAME: "superuser",
      },
      cwd: tempDir(),
      stdin: stdin.stream,
      stdout: fakeTerminal().stream,
      stderr: stderr.stream,
      signal: new AbortController().signal,
      interruptedBy: () => undefined,
      setPendingCleanup: () => {},
    });
    await expect(run).rejects.toThrow("--sort-order must be asc or desc");
    expect(stderr.written()).not.toContain("Password");
  });
});
