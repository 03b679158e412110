import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { cliPath, platformEnv } from "./run-cli.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

// Preloaded into each child: prints the process's own peak resident set size at exit.
const reportPeak = `data:text/javascript,${encodeURIComponent(
  'process.on("exit", () => process.stderr.write("maxrss=" + process.resourceUsage().maxRSS + "\\n"));',
)}`;

/** Peak RSS in KiB of `node --import <reporter> ...args`, spawned asynchronously (the sandbox answers from this process). */
function peakKiB(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", reportPeak, ...args],
      { env },
      (error, _out, stderr) => {
        const kib = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
        if (error || !Number.isFinite(kib)) reject(error ?? new Error(stderr));
        else resolve(kib);
      },
    );
  });
}

// Node's fetch compiles its HTTP parser (llhttp, WebAssembly) with V8's optimising tier on the
// first request: some 30 MiB of peak memory. The executable compiles it with Liftoff only.
describe("passgrant token's peak memory", { timeout: 60_000 }, () => {
  it("stays below that of a bare script making one fetch to the same server", async () => {
    const env = { PATH: process.env.PATH, ...platformEnv(sandbox) };
    const bare = await peakKiB(
      [
        "--input-type=module",
        "-e",
        "await (await fetch(process.env.MSX_BASE_URL + '/idm/v2/token', { method: 'POST' })).text();",
      ],
      env,
    );
    const token = await peakKiB([cliPath, "token"], env);
    expect(token).toBeLessThan(bare);
  });
});
