import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, startCli } from "./run-cli.js";

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

describe("a reader that closes stdout early (`passgrant … | head -1`)", { timeout: 60_000 }, () => {
  it("ends tenants list quietly: no EPIPE stack, exit 0", async () => {
    const cli = startCli(["tenants", "list", "--all"], { env: platformEnv(sandbox) });
    // The reader goes away before the CLI prints its first line, as `| true` or a `head` that has
    // read enough would: the CLI's next write fails with EPIPE.
    cli.child.stdout?.destroy();
    const result = await cli.result;
    expect(result.stderr).not.toMatch(/EPIPE|Error:|\n\s+at /);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // The run did reach the platform: the closed pipe, not a failed sign-in, ended it.
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it("ends --help quietly too", async () => {
    const cli = startCli(["tenants", "--help"]);
    cli.child.stdout?.destroy();
    const result = await cli.result;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
