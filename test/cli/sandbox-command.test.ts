import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli, tempDir } from "./run-cli.js";

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant sandbox", { timeout: 60_000 }, () => {
  it("serves the API with the printed credentials until SIGINT, then exits cleanly", async () => {
    const cli = startCli(["sandbox", "--json"]);
    const [line] = await cli.waitForStdout(/^\{.*\}\n/);
    const details = JSON.parse(line);
    expect(Object.keys(details).sort()).toEqual([
      "clientId",
      "clientSecret",
      "password",
      "url",
      "username",
    ]);
    expect(details.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The printed credentials work with the CLI itself.
    const env = {
      MSX_BASE_URL: details.url,
      MSX_CLIENT_ID: details.clientId,
      MSX_CLIENT_SECRET: details.clientSecret,
      MSX_USERNAME: details.username,
      MSX_PASSWORD: details.password,
    };
    const demo = await runCli(["demo"], { env });
    expect(demo.code, demo.stderr).toBe(0);

    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("sandbox stopped (SIGINT)");
    // Closed: nothing listens there any more.
    await expect(fetch(`${details.url}/idm/api/v8/tenants?page=0&pageSize=1`)).rejects.toThrow();
  });

  it("takes its credentials from PASSGRANT_SANDBOX_* in .env", async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, ".env"),
      "PASSGRANT_SANDBOX_USERNAME=dotenv-user\nPASSGRANT_SANDBOX_CLIENT_ID=dotenv-client\n",
    );
    const cli = startCli(["sandbox", "--json"], { cwd });
    const [line] = await cli.waitForStdout(/^\{.*\}\n/);
    expect(JSON.parse(line)).toMatchObject({
      username: "dotenv-user",
      clientId: "dotenv-client",
      password: "sandbox-password",
    });
    cli.child.kill("SIGTERM");
    expect((await cli.result).code).toBe(0);
  });

  it("prints human-readable export lines without --json", async () => {
    const cli = startCli(["sandbox", "--port", "0"]);
    await cli.waitForStdout(/export MSX_PASSWORD=\S+\n/);
    expect(cli.stdout()).toMatch(/^Sandbox listening at http:\/\/127\.0\.0\.1:\d+/);
    cli.child.kill("SIGTERM");
    expect((await cli.result).code).toBe(0);
  });
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant --help", { timeout: 60_000 }, () => {
  it.each(["demo", "token", "tenants", "sandbox", "generate"])(
    "documents `%s`",
    async (command) => {
      const result = await runCli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: passgrant ${command}`));
    },
  );

  it("shows a command's help for `passgrant help <command>`", async () => {
    const result = await runCli(["help", "token"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: passgrant token/);
  });

  it("lists the commands, variables and exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const text of [
      "demo",
      "token",
      "tenants",
      "sandbox",
      "MSX_BASE_URL",
      "MSX_TIMEOUT_MS",
      "130",
    ]) {
      expect(result.stdout).toContain(text);
    }
  });

  it("exits 2 for an unknown command or option", async () => {
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const option = await runCli(["demo", "--colour"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option --colour");
    expect(option.stderr).toContain("passgrant demo --help");
  });
});

// Binds to every interface for a moment (nothing else can do it); the sandbox is closed at once.
describe("passgrant sandbox --host <wildcard>", { timeout: 60_000 }, () => {
  it("prints a loopback URL the CLI accepts, and warns that every interface is exposed", async () => {
    const cli = startCli(["sandbox", "--host", "0.0.0.0", "--port", "0", "--json"]);
    const [line] = await cli.waitForStdout(/^\{.*\}\n/);
    const details = JSON.parse(line);
    try {
      expect(details.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = await runCli(["token"], {
        env: {
          MSX_BASE_URL: details.url,
          MSX_CLIENT_ID: details.clientId,
          MSX_CLIENT_SECRET: details.clientSecret,
          MSX_USERNAME: details.username,
          MSX_PASSWORD: details.password,
        },
      });
      expect(token.code, token.stderr).toBe(0);
    } finally {
      cli.child.kill("SIGTERM");
    }
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("listening on 0.0.0.0, every network interface");
  });
});
