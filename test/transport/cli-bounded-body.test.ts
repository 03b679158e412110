import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { type HostileServer, startHostileServer } from "./hostile-bodies.js";

let hostile: HostileServer | undefined;
afterEach(async () => {
  await hostile?.close();
  hostile = undefined;
});

/** The built CLI pointed at a hostile server (which also answers the token request). */
function envFor(server: HostileServer, extra: Record<string, string> = {}) {
  return {
    MSX_BASE_URL: server.url,
    MSX_CLIENT_ID: "client",
    MSX_CLIENT_SECRET: "client-secret-value",
    MSX_USERNAME: "user",
    MSX_PASSWORD: "password-value",
    ...extra,
  };
}

describe("the CLI facing a response too large", { timeout: 60_000 }, () => {
  it("exits 4 with a clear message and no stack on an endless body", async () => {
    hostile = await startHostileServer({ kind: "endless" });
    const result = await runCli(["tenants", "list"], { env: envFor(hostile) });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/idm\/api\/v8\/tenants\S* answered a body larger than 16 MiB/,
    );
    expect(result.stderr).toMatch(/MSX_MAX_RESPONSE_BYTES/);
    expect(result.stderr).not.toMatch(/likely a bug|\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("applies MSX_MAX_RESPONSE_BYTES to a gzip bomb", async () => {
    hostile = await startHostileServer({ kind: "gzip-bomb", bytes: 256 * 1024 * 1024 });
    const result = await runCli(["tenants", "list"], {
      env: envFor(hostile, { MSX_MAX_RESPONSE_BYTES: "65536" }),
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/larger than 64 KiB \(65536 bytes\)/);
  });

  it("refuses a bad MSX_MAX_RESPONSE_BYTES as a usage error", async () => {
    hostile = await startHostileServer({ kind: "sized", bytes: 10 });
    const result = await runCli(["tenants", "list"], {
      env: envFor(hostile, { MSX_MAX_RESPONSE_BYTES: "16MB" }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MSX_MAX_RESPONSE_BYTES must be a whole number of bytes/);
  });
});
