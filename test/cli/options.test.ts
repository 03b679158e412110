import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli } from "./run-cli.js";

describe("option errors", { timeout: 60_000 }, () => {
  it("refuses --token pointing at what works (passgrant signs in itself; --cache), not at standard input", async () => {
    const result = await runCli(["tenants", "list", "--token=planted-token-value"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--token is not accepted");
    expect(result.stderr).toContain("--cache");
    expect(result.stderr).not.toContain("standard input");
    expect(result.stderr).not.toContain("planted-token-value");
  });
});

describe("mistyped options and commands", { timeout: 60_000 }, () => {
  it("names an unknown option and the closest one the command takes", async () => {
    const result = await runCli(["tenants", "create", "--naem", "acme"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "passgrant: unknown option --naem; did you mean --name?\nRun `passgrant tenants --help` for usage.\n",
    );
  });

  it("suggests nothing when no option is close, and never repeats a value given with =", async () => {
    const result = await runCli(["token", "--zzzzzz=some-secret-value"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^passgrant: unknown option --zzzzzz\.\n/);
    expect(result.stderr).not.toContain("some-secret-value");
  });

  it("says an option needs a value in plain words", async () => {
    const result = await runCli(["token", "--grant"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^passgrant: --grant needs a value: --grant VALUE\.\n/);
  });

  it("lists --version in the main help, and --version prints the package's version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}--version {2}print passgrant's version$/m);
    const version = await runCli(["--version"]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it("suggests the closest command", async () => {
    const result = await runCli(["tokne"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "tokne"; did you mean token?');
  });
});

describe("grant names", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it.each([
    ["client-credentials", { client_credentials: 1 }],
    ["client_credentials", { client_credentials: 1 }],
    ["CLIENT_CREDENTIALS", { client_credentials: 1 }],
    ["refresh_token", { password: 1, refresh_token: 1 }],
  ])("accepts --grant %s", async (grant, byGrant) => {
    const result = await runCli(["token", "--grant", grant], { env: platformEnv(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual(byGrant);
  });

  it.each(["switch-tenant", "switch_tenant"])("accepts --grant %s", async (grant) => {
    const result = await runCli(["token", "--grant", grant, "--tenant-name", "Coke"], {
      env: platformEnv(sandbox),
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it("shows one style in help and in the error for an unknown grant", async () => {
    const help = await runCli(["token", "--help"]);
    const grantLines = help.stdout.split("\n").filter((line) => /^ {2}[a-z_-]+ {2,}/.test(line));
    const names = grantLines.map((line) => line.trim().split(/\s+/)[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        "password",
        "client-credentials",
        "refresh",
        "switch-tenant",
        "switch-user",
        "token-exchange",
      ]),
    );
    expect(names.filter((name) => name?.includes("_"))).toEqual([]);
    const unknown = await runCli(["token", "--grant", "implicit"], { env: platformEnv(sandbox) });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--grant must be one of password, client-credentials, device-code, authorization-code, refresh, switch-tenant, switch-user, token-exchange, got "implicit"',
    );
  });
});
