import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { makeCertificates, type TestCertificates } from "../transport/certificates.js";
import { type Forwarder, startForwarder } from "./forwarder.js";
import { platformEnv, runCli } from "./run-cli.js";

/** The sandbox behind HTTPS with a certificate from a throwaway CA, like a lab platform. */
let sandbox: Sandbox;
let certificates: TestCertificates;
let https: Forwarder;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox();
  certificates = makeCertificates();
  https = await startForwarder(sandbox.url, {
    tls: { key: certificates.key, cert: certificates.cert },
  });
  env = { ...platformEnv(sandbox), MSX_BASE_URL: https.url };
});
afterAll(async () => {
  await https.close();
  await sandbox.close();
  certificates.cleanup();
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("TLS from the CLI", { timeout: 60_000 }, () => {
  it("refuses an unknown CA with a network/TLS error (exit 5) that points at MSX_CA_FILE", async () => {
    const result = await runCli(["token"], { env });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/certificate/i);
    expect(result.stderr).toContain("MSX_CA_FILE");
  });

  it("trusts the lab CA given in MSX_CA_FILE", async () => {
    const result = await runCli(["token"], { env: { ...env, MSX_CA_FILE: certificates.caFile } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("skips verification only with MSX_INSECURE_TLS=true, and says so loudly", async () => {
    const result = await runCli(["token"], { env: { ...env, MSX_INSECURE_TLS: "true" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("TLS certificate verification is OFF");
    // In the CLI's words: the variable to set, not the library's option.
    expect(result.stderr).toContain("Use MSX_CA_FILE with");
    expect(result.stderr).not.toContain("`caFile`");
  });
});
