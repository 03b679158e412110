import { afterEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli } from "../cli/run-cli.js";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("the CLI's retries", { timeout: 60_000 }, () => {
  it("retries a 503 on an API call and logs the retry with --verbose", async () => {
    sandbox = await startSandbox({
      faults: [{ operationId: "getTenantsPage", status: 503, retryAfterSeconds: 0 }],
    });
    const result = await runCli(["tenants", "list", "--verbose"], { env: platformEnv(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f-]{36}: /m);
    expect(result.stderr).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/idm\/api\/v8\/tenants\S* -> 503: retry 1 of 2 in 0 ms \(Retry-After\)/,
    );
  });

  it("MSX_RETRIES=0 turns retrying off", async () => {
    sandbox = await startSandbox({ faults: [{ operationId: "getTenantsPage", status: 503 }] });
    const result = await runCli(["tenants", "list"], {
      env: { ...platformEnv(sandbox), MSX_RETRIES: "0" },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/HTTP 503/);
  });

  it("refuses a bad MSX_RETRIES as a usage error", async () => {
    sandbox = await startSandbox();
    const result = await runCli(["tenants", "list"], {
      env: { ...platformEnv(sandbox), MSX_RETRIES: "many" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MSX_RETRIES must be a whole number from 0/);
  });
});
