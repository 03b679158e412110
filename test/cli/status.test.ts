// passgrant status (issue 13), through the built executable: who is signed in for each profile,
// until when, whether the platform answers; never a token; exit codes for scripts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type CliResult, platformEnv, runCli, tempDir } from "./run-cli.js";

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface CacheEntry {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  account?: Record<string, unknown>;
}

/** Rewrites each entry of the cache file (still 0600). */
function editCache(cacheFile: string, change: (entry: CacheEntry) => void): void {
  const file = JSON.parse(readFileSync(cacheFile, "utf8")) as {
    entries: Record<string, CacheEntry>;
  };
  for (const entry of Object.values(file.entries)) change(entry);
  writeFileSync(cacheFile, JSON.stringify(file), { mode: 0o600 });
}

interface StatusJson {
  ok: boolean;
  configurations: Array<{
    profile: string | null;
    inUse: boolean;
    signedIn: boolean;
    platform: { answers: boolean; status?: number; error?: { code: string } } | null;
    accounts: Array<{
      identity: Record<string, string> | null;
      state: string;
      expiresAt: string | null;
      expiresIn: number | null;
      hasRefreshToken: boolean;
    }>;
  }>;
  otherAccounts: unknown[];
}

describe("passgrant status", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  let cacheFile: string;
  beforeEach(async () => {
    sandbox = await startSandbox();
    const home = tempDir("passgrant-status-");
    cacheFile = join(home, "cache", "passgrant", "tokens.json");
    env = {
      ...platformEnv(sandbox),
      XDG_CACHE_HOME: join(home, "cache"),
      XDG_CONFIG_HOME: join(home, "config"),
    };
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { env: { ...env, ...extra } });
  const signIn = async (...args: string[]) => {
    const result = await cli(["token", "--cache", ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  const statusJson = (result: CliResult) => JSON.parse(result.stdout) as StatusJson;

  it("with nothing cached: not signed in, exit 3, the platform answers", async () => {
    const text = await cli(["status"]);
    expect(text.code, text.stderr).toBe(3);
    expect(text.stdout).toContain("environment (MSX_* variables and .env) (in use)");
    expect(text.stdout).toMatch(/platform: http:\/\/127\.0\.0\.1:\d+\/ answers \(HTTP 404\)/);
    expect(text.stdout).toContain(
      "not signed in (no valid or refreshable cached token): passgrant token --cache",
    );
    const json = await cli(["status", "--json"]);
    expect(json.code).toBe(3);
    expect(statusJson(json)).toMatchObject({
      ok: false,
      configurations: [
        {
          profile: null,
          inUse: true,
          signedIn: false,
          platform: { answers: true, status: 404 },
          accounts: [],
        },
      ],
      otherAccounts: [],
    });
    // One unauthenticated request for the platform check, no token request.
    expect(sandbox.stats()).toMatchObject({ tokenRequests: 0 });
  });

  it("signed in: who, with which grant and client authentication, until when (relative and absolute), exit 0", async () => {
    await signIn();
    // The client authentication method is recorded per account (client_secret_post here).
    const post = await cli(["token", "--cache", "--grant", "client-credentials"], {
      MSX_CLIENT_AUTH: "post",
    });
    expect(post.code, post.stderr).toBe(0);
    const requests = sandbox.stats().requests;
    const before = Date.now();
    const text = await cli(["status"]);
    expect(text.code, text.stderr).toBe(0);
    const tokenUrl = `${sandbox.url}/idm/v2/token`;
    expect(text.stdout).toContain(
      `signed in: ${sandbox.username} (client ${sandbox.clientId}, client auth basic) with the password grant at ${tokenUrl}`,
    );
    expect(text.stdout).toContain(
      `signed in: client ${sandbox.clientId} (client auth post) with the client credentials grant at ${tokenUrl}`,
    );
    // The sandbox's tokens live 9000 s: 2 h 30 min minus the seconds the runs took.
    expect(text.stdout).toMatch(
      /token valid: expires in 2 h (29|30) min \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\); refresh token held/,
    );
    expect(text.stdout).toMatch(/token valid: expires in 2 h (29|30) min \(.*\); no refresh token/);
    // Status sends one request (the platform check) and no token request.
    expect(sandbox.stats().requests).toBe(requests + 1);
    expect(sandbox.stats().tokenRequests).toBe(2);

    const json = statusJson(await cli(["status", "--json"]));
    expect(json.ok).toBe(true);
    const [configuration] = json.configurations;
    expect(configuration?.signedIn).toBe(true);
    expect(
      configuration?.accounts.map((a) => [
        a.identity?.grant,
        a.identity?.clientAuth,
        a.state,
        a.hasRefreshToken,
      ]),
    ).toEqual([
      ["password", "basic", "valid", true],
      ["client_credentials", "post", "valid", false],
    ]);
    for (const account of configuration?.accounts ?? []) {
      const expiresAt = Date.parse(account.expiresAt ?? "");
      expect(expiresAt).toBeGreaterThan(before + 8_000_000);
      expect(account.expiresIn).toBeGreaterThan(8_000);
      expect(account.expiresIn).toBeLessThanOrEqual(9_000);
    }
  });

  it("expired: refreshable with a refresh token (still exit 0), exit 3 without one", async () => {
    await signIn();
    editCache(cacheFile, (entry) => {
      entry.expiresAt = Date.now() - 5 * 60_000;
    });
    const refreshable = await cli(["status"]);
    expect(refreshable.code, refreshable.stdout).toBe(0);
    expect(refreshable.stdout).toMatch(
      /token refreshable: expired 5 min( \d+ s)? ago \(.*\); refresh token held/,
    );

    editCache(cacheFile, (entry) => {
      delete entry.refreshToken;
    });
    const expired = await cli(["status"]);
    expect(expired.code).toBe(3);
    expect(expired.stdout).toMatch(
      /token expired: expired 5 min( \d+ s)? ago .*; no refresh token: sign in again/,
    );
    expect(expired.stdout).toContain("not signed in");
    expect(
      statusJson(await cli(["status", "--json"])).configurations[0]?.accounts[0],
    ).toMatchObject({
      state: "expired",
      hasRefreshToken: false,
    });
  });

  it("an unreachable platform (a closed loopback port): exit 5, saying why", async () => {
    const port = await closedPort();
    const result = await cli(["status"], { MSX_BASE_URL: `http://127.0.0.1:${port}` });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toMatch(
      new RegExp(
        `platform: http://127\\.0\\.0\\.1:${port}/ does not answer: .*(refused|ECONNREFUSED)`,
      ),
    );
    const json = statusJson(
      await cli(["status", "--json"], { MSX_BASE_URL: `http://127.0.0.1:${port}` }),
    );
    expect(json.configurations[0]?.platform).toMatchObject({
      answers: false,
      error: { code: "ERR_NETWORK" },
    });
  });

  it("reports each profile of the config file, and --profile NAME alone", async () => {
    const port = await closedPort();
    const configDirectory = join(env.XDG_CONFIG_HOME as string, "passgrant");
    mkdirSync(configDirectory, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(configDirectory, "config.json"),
      JSON.stringify({
        format: "passgrant-config",
        version: 1,
        current: "lab",
        profiles: {
          lab: { baseUrl: sandbox.url, clientId: sandbox.clientId, username: sandbox.username },
          down: { baseUrl: `http://127.0.0.1:${port}`, clientId: "other-client" },
        },
      }),
      { mode: 0o600 },
    );
    // Only secrets in the environment: the profiles name the platforms.
    const secrets = { MSX_CLIENT_SECRET: sandbox.clientSecret, MSX_PASSWORD: sandbox.password };
    env = {
      ...secrets,
      XDG_CACHE_HOME: env.XDG_CACHE_HOME as string,
      XDG_CONFIG_HOME: env.XDG_CONFIG_HOME as string,
    };
    await signIn("--profile", "lab");

    const all = await cli(["status"]);
    expect(all.code, all.stdout).toBe(5); // "down" does not answer
    expect(all.stdout).toMatch(/^profile lab \(in use\)\n {2}platform: .* answers/m);
    expect(all.stdout).toContain(
      `with the password grant at ${sandbox.url}/idm/v2/token, profile lab`,
    );
    expect(all.stdout).toMatch(/^profile down\n {2}platform: .* does not answer/m);
    expect(all.stdout).toContain(
      "not signed in (no valid or refreshable cached token): passgrant --profile down token --cache --grant client-credentials",
    );

    const lab = await cli(["status", "--profile", "lab", "--json"]);
    expect(lab.code, lab.stderr).toBe(0);
    expect(statusJson(lab).configurations).toEqual([
      expect.objectContaining({ profile: "lab", inUse: true, signedIn: true }),
    ]);
    expect(statusJson(lab).configurations[0]?.accounts[0]?.identity).toMatchObject({
      profile: "lab",
    });
    const unknown = await cli(["status", "--profile", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nope", which is not a profile');
  });

  it("never prints a token (canary) or a secret, even with --verbose and --json", async () => {
    await signIn();
    await signIn("--grant", "client-credentials");
    const canaries = ["canary-access-7f3e9a1c55d2", "canary-refresh-0b2d4f6a8c1e"];
    editCache(cacheFile, (entry) => {
      entry.accessToken = canaries[0] as string;
      entry.refreshToken = canaries[1] as string;
    });
    for (const args of [["status"], ["status", "--json"], ["status", "--verbose"]]) {
      const result = await cli(args);
      expect(result.code, result.stderr).toBe(0);
      for (const secret of [...canaries, sandbox.password, sandbox.clientSecret]) {
        expect(result.stdout + result.stderr).not.toContain(secret);
      }
    }
  });

  it("shows names from the cache escaped, and an old entry as an unknown identity", async () => {
    await signIn();
    await signIn("--grant", "client-credentials");
    editCache(cacheFile, (entry) => {
      if (entry.account?.grant === "password") entry.account.scope = "evil\u001b]0;pwned\u0007";
      else delete entry.account; // as passgrant wrote it before identities were recorded
    });
    const result = await cli(["status"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("\u001b");
    expect(result.stdout).toContain("scope evil\\x1b]0;pwned\\x07");
    expect(result.stdout).toContain("signed in: unknown identity (cached by an earlier passgrant)");
  });
});
