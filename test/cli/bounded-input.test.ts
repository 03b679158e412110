/**
 * What a user pipes or points passgrant at is read bounded: a password, a request body and a
 * subject token each have a size past which the command stops with a usage error (exit 2) before
 * anything is sent, and a device or a FIFO given as a file is refused instead of being read
 * forever. The built executable, against a loopback server that counts what reaches it.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

let server: Server;
let requests = 0;
let env: Record<string, string>;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    request.resume();
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  env = {
    MSX_BASE_URL: `http://127.0.0.1:${port}`,
    MSX_CLIENT_ID: "client",
    MSX_CLIENT_SECRET: "client-secret",
    MSX_USERNAME: "someone",
  };
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("bounded input", { timeout: 60_000 }, () => {
  it("--password-stdin refuses more than 64 KiB, never echoing it, nothing sent", async () => {
    const before = requests;
    const canary = "canary-password-8f2e";
    const result = await runCli(["token", "--password-stdin"], {
      env,
      stdin: `${canary}${"x".repeat(70 * 1024)}\n`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--password-stdin: standard input holds more than 65536 bytes");
    expect(result.stderr + result.stdout).not.toContain(canary);
    expect(requests).toBe(before);
  });

  it("--password-stdin still takes a password with its newline", async () => {
    const result = await runCli(["token", "--password-stdin"], { env, stdin: "secret-pw\n" });
    // The loopback server answers 500: the password was read and a token request was sent.
    expect(result.code).not.toBe(2);
    expect(result.stderr).not.toContain("secret-pw");
  });

  it("--body @/dev/zero is refused as a device, at once", async () => {
    const before = requests;
    const result = await runCli(["api", "createTenant", "--body", "@/dev/zero"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--body @\/dev\/zero: .*not a regular file/);
    expect(requests).toBe(before);
  });

  it("--body @FIFO is refused without waiting for a writer", async () => {
    const dir = tempDir();
    const fifo = join(dir, "body.pipe");
    execFileSync("mkfifo", [fifo]);
    const result = await runCli(["api", "createTenant", "--body", `@${fifo}`], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "not a regular file. To read the body from a pipe, use --body -.",
    );
  });

  it("--body - refuses more than 16 MiB of standard input", async () => {
    const before = requests;
    const result = await runCli(["api", "createTenant", "--body", "-"], {
      env,
      stdin: `{"name":"${"n".repeat(17 * 1024 * 1024)}"}`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the body from standard input is larger than 16777216 bytes");
    expect(requests).toBe(before);
  });

  it("a header parameter holding a line break is exit 2, its value not echoed, nothing sent", async () => {
    const before = requests;
    const dir = tempDir();
    writeFileSync(
      join(dir, "spec.yaml"),
      [
        "openapi: 3.0.3",
        "info: { title: headers, version: '1' }",
        "paths:",
        "  /notes:",
        "    get:",
        "      operationId: getNotes",
        "      security: []",
        "      parameters:",
        "        - { name: X-Note, in: header, schema: { type: string } }",
        "      responses:",
        "        '200': { description: ok }",
        "",
      ].join("\n"),
    );
    const result = await runCli(
      ["api", "--spec", "spec.yaml", "getNotes", "-p", "X-Note=key-5d1e\r\nX-Injected: 1"],
      { env: { MSX_BASE_URL: env.MSX_BASE_URL as string }, cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "header parameter X-Note: a header value cannot contain a line break",
    );
    expect(result.stderr).not.toContain("key-5d1e");
    expect(requests).toBe(before);
  });
});
