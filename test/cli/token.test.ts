import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli } from "./run-cli.js";

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant token", { timeout: 60_000 }, () => {
  it("prints only the access token, which a second command uses as its Bearer token", async () => {
    const result = await runCli(["token"], { env: platformEnv(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+\n$/);
    expect(result.stderr).toBe("");
    const token = result.stdout.trim();

    // The second command: a separate process that reads $TOKEN, as `curl -H "Authorization:
    // Bearer $TOKEN"` would in a shell script.
    const script = `fetch(process.env.URL, { headers: { Authorization: "Bearer " + process.env.TOKEN } })
      .then(async (r) => { const body = await r.json(); console.log(r.status, body.contents.length); });`;
    // Spawned asynchronously: the sandbox answering it runs in this process's event loop.
    const second = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ["-e", script],
        { env: { TOKEN: token, URL: `${sandbox.url}/idm/api/v8/tenants?page=0&pageSize=10` } },
        (error, stdout) => (error ? reject(error) : resolve({ stdout })),
      );
    });
    expect(second.stdout).toMatch(/^200 [1-9]\d*\n$/);
  });

  it("prints the whole normalised token response with --json", async () => {
    const before = Date.now();
    const result = await runCli(["token", "--json"], { env: platformEnv(sandbox) });
    const after = Date.now();
    expect(result.code, result.stderr).toBe(0);
    const token = JSON.parse(result.stdout);
    // expires_in (seconds left) sits right after expiresAt and agrees with it at print time.
    const keys = Object.keys(token);
    expect(keys[keys.indexOf("expiresAt") + 1]).toBe("expires_in");
    expect(Number.isInteger(token.expires_in)).toBe(true);
    expect(token.expires_in).toBeLessThanOrEqual(Math.ceil((token.expiresAt - before) / 1000));
    expect(token.expires_in).toBeGreaterThanOrEqual(Math.floor((token.expiresAt - after) / 1000));
    expect(token).toMatchObject({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      refreshToken: expect.any(String),
      expiresAt: expect.any(Number),
      raw: { username: sandbox.username },
    });
  });

  it("reads the password from standard input with --password-stdin", async () => {
    const { MSX_PASSWORD, ...env } = platformEnv(sandbox);
    const result = await runCli(["token", "--password-stdin"], {
      env,
      stdin: `${MSX_PASSWORD}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({ password: 1 });
  });

  it("says how to give a missing password off a terminal: the variable, or --password-stdin", async () => {
    const { MSX_PASSWORD: _omitted, ...env } = platformEnv(sandbox);
    const result = await runCli(["token"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "MSX_PASSWORD is not set: the password grant needs the user's password (or pipe it with --password-stdin).",
    );
    expect(sandbox.stats().tokenRequests).toBe(0);
  });

  it("refuses a password on the command line without echoing it", async () => {
    const result = await runCli(["token", "--password=argv-secret-value"], {
      env: platformEnv(sandbox),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--password is not accepted");
    expect(result.stderr).toContain("--password-stdin");
    expect(result.stderr).not.toContain("argv-secret-value");
    expect(sandbox.stats().tokenRequests).toBe(0);
  });

  it("gives the OAuth error and exits 3 for a wrong password", async () => {
    const result = await runCli(["token"], {
      env: { ...platformEnv(sandbox), MSX_PASSWORD: "wrong-password-value" },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("invalid_grant");
    expect(result.stderr).not.toContain("wrong-password-value");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("lists every configuration problem at once and exits 2", async () => {
    const result = await runCli(["token"], {
      env: { MSX_BASE_URL: "not a url", MSX_TIMEOUT_MS: "soon", MSX_INSECURE_TLS: "perhaps" },
    });
    expect(result.code).toBe(2);
    for (const expected of [
      "MSX_BASE_URL must be an absolute http(s) URL",
      "MSX_TIMEOUT_MS must be a whole number",
      "MSX_INSECURE_TLS must be true or false",
      "MSX_CLIENT_ID is not set",
      "MSX_CLIENT_SECRET is not set",
      "MSX_USERNAME is not set",
      "MSX_PASSWORD is not set",
    ]) {
      expect(result.stderr).toContain(expected);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("reads configuration from .env, with the real environment winning", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const cwd = mkdtempSync(join(tmpdir(), "passgrant-dotenv-"));
    const env = platformEnv(sandbox);
    writeFileSync(
      join(cwd, ".env"),
      `${Object.entries(env)
        .map(([k, v]) => `${k}=${k === "MSX_PASSWORD" ? "wrong-in-file" : v}`)
        .join("\n")}\n`,
    );
    expect((await runCli(["token"], { cwd })).code).toBe(3);
    const result = await runCli(["token"], {
      cwd,
      env: { MSX_PASSWORD: env.MSX_PASSWORD as string },
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it("runs the client credentials, refresh, switch-tenant and switch-user grants", async () => {
    const env = platformEnv(sandbox);
    const run = async (...args: string[]) => {
      const result = await runCli(["token", "--json", ...args], { env });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { accessToken: string; raw: Record<string, unknown> };
    };
    await run("--grant", "client_credentials");
    await run("--grant", "refresh");
    const coke = sandbox.tenants().find((t) => t.name === "Coke");
    expect(coke).toBeDefined();
    const switched = await run("--grant", "switch-tenant", "--tenant-name", "Coke");
    expect(switched.raw.tenantId).toBe(coke?.id);
    await run("--grant", "switch-user", "--switch-username", sandbox.username);
    expect(sandbox.stats().tokenRequestsByGrant).toMatchObject({
      client_credentials: 1,
      refresh_token: 1,
      "urn:cisco:nfv:oauth:grant-type:switch-tenant": 1,
      "urn:cisco:nfv:oauth:grant-type:switch-user": 1,
    });
  });

  it("explains grant options that do not fit together", async () => {
    const env = platformEnv(sandbox);
    const result = await runCli(["token", "--grant", "switch-tenant"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("needs exactly one of --tenant-id or --tenant-name");
    const unknown = await runCli(["token", "--grant", "implicit"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--grant must be one of password, client-credentials");
  });

  it("--grant refresh without a refresh token is a TokenResponseError (exit 3)", async () => {
    // A real server on loopback whose token responses carry no refresh_token (RFC 6749 §5.1
    // makes it optional).
    const server = createServer((request, response) => {
      request.resume().on("end", () => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ access_token: "a".repeat(32), token_type: "bearer" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await runCli(["token", "--grant", "refresh"], {
        env: { ...platformEnv(sandbox), MSX_BASE_URL: url },
      });
      expect(result.code).toBe(3);
      // TokenResponseError's own wording (the old bare PassgrantError had none of it).
      expect(result.stderr).toContain(
        "passgrant: Unusable token response: the token endpoint issued no refresh_token",
      );
      expect(result.stdout).toBe("");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
