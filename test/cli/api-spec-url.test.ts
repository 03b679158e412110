import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type TestCertificates } from "../transport/certificates.js";
import { runCli } from "./run-cli.js";

/**
 * `passgrant api --spec https://…` reads the spec through the configured transport, as the API
 * calls that follow: a lab's private CA (MSX_CA_FILE), MSX_INSECURE_TLS, MSX_MAX_RESPONSE_BYTES.
 * The server is a real HTTPS server on 127.0.0.1 with a certificate from a throwaway CA.
 */
const spec = [
  "openapi: 3.0.3",
  "info: { title: lab, version: '1' }",
  "paths:",
  "  /widgets:",
  "    get: { operationId: listWidgets, summary: List widgets, responses: { '200': { description: ok } } }",
  "  /widgets/{id}:",
  "    delete: { operationId: deleteWidget, responses: { '204': { description: gone } } }",
  // Padding, so that a 1 KiB response bound is exceeded.
  `x-padding: "${"p".repeat(2048)}"`,
  "",
].join("\n");

let certificates: TestCertificates;
let server: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  certificates = makeCertificates();
  server = createServer(
    { key: certificates.key, cert: certificates.cert },
    (_request, response) => {
      requests += 1;
      response.writeHead(200, { "content-type": "application/yaml" }).end(spec);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/lab.yaml`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  certificates.cleanup();
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("api --spec URL through the configured transport", { timeout: 60_000 }, () => {
  it("trusts the lab CA named by MSX_CA_FILE", async () => {
    const result = await runCli(["api", "--list", "--spec", url], {
      env: { MSX_CA_FILE: certificates.caFile },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^listWidgets\s+GET\s+\/widgets\s+List widgets$/m);
    expect(result.stdout).toMatch(/^deleteWidget\s+DELETE\s+\/widgets\/\{id\}/m);
  });

  it("refuses the unknown CA without it (exit 5, pointing at MSX_CA_FILE)", async () => {
    const before = requests;
    const result = await runCli(["api", "--list", "--spec", url]);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/certificate/i);
    expect(result.stderr).toContain("MSX_CA_FILE");
    expect(requests).toBe(before);
  });

  it("skips verification with MSX_INSECURE_TLS=true, loudly", async () => {
    const result = await runCli(["api", "--list", "--spec", url], {
      env: { MSX_INSECURE_TLS: "true" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("listWidgets");
    expect(result.stderr).toContain("TLS certificate verification is OFF");
  });

  it("bounds the spec by MSX_MAX_RESPONSE_BYTES (exit 4)", async () => {
    const result = await runCli(["api", "--list", "--spec", url], {
      env: { MSX_CA_FILE: certificates.caFile, MSX_MAX_RESPONSE_BYTES: "1024" },
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/1024 bytes|MSX_MAX_RESPONSE_BYTES/);
  });

  it("reports a bad transport variable before fetching anything (exit 2)", async () => {
    const before = requests;
    const result = await runCli(["api", "--list", "--spec", url], {
      env: { MSX_TIMEOUT_MS: "soon" },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("MSX_TIMEOUT_MS must be a whole number");
    expect(requests).toBe(before);
  });
});
