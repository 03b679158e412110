import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

it("a contract violation fails the user's own vitest run, saying what was wrong", () => {
  const run = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--config",
      "test/testing/user-suite/vitest.config.mjs",
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "1" } },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output).toBe(1);
  expect(output).toContain("ContractViolationError");
  expect(output).toContain(
    'createTenant (POST /idm/api/v8/tenants): wrong Content-Type "text/plain" (expected application/json)',
  );
  expect(output).toContain("1 failed");
  expect(output).not.toContain("user-token-123");
});
