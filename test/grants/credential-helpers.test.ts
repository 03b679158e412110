import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../cli/run-cli.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A token endpoint numbering its tokens; `expires_in` as given (absent when null). */
async function tokenServer(expiresIn: number | null = 3600) {
  let issued = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      issued++;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          access_token: `helper-token-${issued}`,
          token_type: "Bearer",
          ...(expiresIn !== null ? { expires_in: expiresIn } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const env = {
    MSX_TOKEN_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    MSX_CLIENT_ID: "helper-client",
    MSX_CLIENT_SECRET: "helper-secret",
  };
  return { env, issued: () => issued };
}

describe("passgrant token --format (built CLI)", () => {
  it("exec-credential prints kubectl's client.authentication.k8s.io/v1 ExecCredential", async () => {
    const server = await tokenServer(3600);
    const before = Date.now();
    const result = await runCli(
      ["token", "--grant", "client-credentials", "--format", "exec-credential"],
      {
        env: server.env,
      },
    );
    const after = Date.now();
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith("}\n")).toBe(true);
    const credential = JSON.parse(result.stdout);
    expect(Object.keys(credential)).toEqual(["apiVersion", "kind", "status"]);
    expect(credential.apiVersion).toBe("client.authentication.k8s.io/v1");
    expect(credential.kind).toBe("ExecCredential");
    expect(credential.status.token).toBe("helper-token-1");
    // RFC 3339, UTC, whole seconds, as metav1.Time writes it.
    expect(credential.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expiry = Date.parse(credential.status.expirationTimestamp);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000 - 1000);
    expect(expiry).toBeLessThanOrEqual(after + 3600_000);
  });

  it("exec-credential leaves out expirationTimestamp when the server names no expiry", async () => {
    const server = await tokenServer(null);
    const result = await runCli(
      ["token", "--grant", "client-credentials", "--format", "exec-credential"],
      {
        env: server.env,
      },
    );
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "helper-token-1" },
    });
  });

  it("header prints one Authorization line", async () => {
    const server = await tokenServer();
    const result = await runCli(["token", "--grant", "client-credentials", "--format", "header"], {
      env: server.env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Authorization: Bearer helper-token-1\n");
  });

  it("refuses an unknown format before any request", async () => {
    const server = await tokenServer();
    const result = await runCli(["token", "--format", "yaml"], { env: server.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--format must be one of token, json, header, exec-credential");
    expect(server.issued()).toBe(0);
  });
});

describe("passgrant credential-helper git (built CLI, git-credential(1))", () => {
  const request = "protocol=https\nhost=git.example.com\n\n";

  it("get answers username and password=<token>, with password_expiry_utc", async () => {
    const server = await tokenServer(600);
    const result = await runCli(
      ["credential-helper", "git", "get", "--grant", "client-credentials"],
      { env: server.env, stdin: request },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("username=x-access-token");
    expect(lines[1]).toBe("password=helper-token-1");
    expect(lines[2]).toMatch(/^password_expiry_utc=\d{10}$/);
    expect(lines.slice(3)).toEqual([""]);
  });

  it("get names the configured user for the password grant", async () => {
    const server = await tokenServer();
    const result = await runCli(["credential-helper", "git", "get"], {
      env: { ...server.env, MSX_USERNAME: "alice", MSX_PASSWORD: "pw-secret" },
      stdin: request,
    });
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "username=alice",
      "password=helper-token-1",
    ]);
    expect(result.stdout).not.toContain("pw-secret");
  });

  it("store is accepted and does nothing; erase clears the cached token", async () => {
    const server = await tokenServer();
    const cacheFile = join(tempDir(), "tokens.json");
    const helper = (operation: string) =>
      runCli(
        [
          "credential-helper",
          "git",
          operation,
          "--grant",
          "client-credentials",
          "--cache",
          "--cache-file",
          cacheFile,
        ],
        { env: server.env, stdin: `${request}password=helper-token-1\n` },
      );
    expect((await helper("get")).stdout).toContain("password=helper-token-1\n");
    expect((await helper("get")).stdout).toContain("password=helper-token-1\n"); // cached
    const store = await helper("store");
    expect([store.code, store.stdout, store.stderr]).toEqual([0, "", ""]);
    expect(server.issued()).toBe(1);
    const erase = await helper("erase");
    expect([erase.code, erase.stdout, erase.stderr]).toEqual([0, "", ""]);
    expect(readFileSync(cacheFile, "utf8")).not.toContain("helper-token-1");
    expect((await helper("get")).stdout).toContain("password=helper-token-2\n");
  });

  it("ignores an operation it does not know, as git-credential(1) asks of helpers", async () => {
    const result = await runCli(["credential-helper", "git", "capability"], { stdin: request });
    expect([result.code, result.stdout]).toEqual([0, ""]);
  });
});
