// Runs examples/session/tenant-roundtrip.ts against the embedded sandbox (a real HTTP server on
// 127.0.0.1), as the suite's test/contract/examples.test.ts imports it.
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sessionRoundTrip } from "./tenant-roundtrip.js";

describe("examples/session/tenant-roundtrip.ts", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
    // The contract example next to this one blocks the network; the sandbox is on loopback.
    nock.enableNetConnect(/^127\.0\.0\.1:/);
  });
  afterAll(async () => {
    nock.disableNetConnect();
    await sandbox.close();
  });

  it("creates, lists and deletes a tenant with createSession and call", async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => {
      lines.push(line);
    });
    try {
      const id = await sessionRoundTrip("Irn-Bru", {
        baseUrl: sandbox.url,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        username: sandbox.username,
        password: sandbox.password,
        environment: false,
      });
      expect(lines[0]).toBe(`Created Tenant: ${id}`);
      expect(lines).toContain(`${id}: Irn-Bru`);
      expect(lines.at(-1)).toBe(`Deleted Tenant: ${id}`);
      expect(sandbox.tenants().some((tenant) => tenant.id === id)).toBe(false);
    } finally {
      log.mockRestore();
    }
  });
});
