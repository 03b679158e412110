// Accounts in the token cache (issue 15): the cache knows which identities it holds, lists them
// without a secret, and hands out an account's token silently (cached, or refreshed).
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokenCacheKey } from "../../src/cache/accounts.js";
import { acquireCacheLock } from "../../src/cache/cache-lock.js";
import {
  type CachedAccount,
  ConfigError,
  createFileTokenCache,
  createTokenProvider,
  SignInRequiredError,
} from "../../src/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli, tempDir } from "../cli/run-cli.js";

const HOUR_MS = 3_600_000;

/** Every token value in the cache file: none may appear in a listing. */
function tokensIn(cacheFile: string): string[] {
  const file = JSON.parse(readFileSync(cacheFile, "utf8")) as {
    entries: Record<string, { accessToken: string; refreshToken?: string }>;
  };
  return Object.values(file.entries).flatMap((entry) =>
    [entry.accessToken, entry.refreshToken].filter((t): t is string => typeof t === "string"),
  );
}

describe("accounts in the token cache", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  let cacheFile: string;
  beforeEach(async () => {
    sandbox = await startSandbox();
    env = platformEnv(sandbox);
    cacheFile = join(tempDir(), "cache", "tokens.json");
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const cliToken = async (...args: string[]) => {
    const result = await runCli(["token", "--cache", "--cache-file", cacheFile, ...args], { env });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };

  /** The password-grant and client-credentials accounts the CLI cached, found by grant. */
  async function cachedByCli(): Promise<{ user: CachedAccount; client: CachedAccount }> {
    await cliToken();
    await cliToken("--grant", "client-credentials");
    const accounts = await createFileTokenCache({ path: cacheFile }).accounts();
    const user = accounts.find((a) => a.identity?.grant === "password");
    const client = accounts.find((a) => a.identity?.grant === "client_credentials");
    if (!user || !client) throw new Error(`not both cached: ${JSON.stringify(accounts)}`);
    return { user, client };
  }

  it("lists the identities the CLI cached, with their metadata and no secret", async () => {
    const before = Date.now();
    await cliToken();
    await cliToken("--grant", "client-credentials");
    await cliToken("--grant", "switch-tenant", "--tenant-name", "Coke");
    const after = Date.now();

    const accounts = await createFileTokenCache({ path: cacheFile }).accounts();
    expect(accounts).toHaveLength(3);
    const tokenUrl = `${sandbox.url}/idm/v2/token`;
    const byGrant = (grant: string, switched?: string) =>
      accounts.find((a) => a.identity?.grant === grant && a.identity.switchedTo === switched);

    expect(byGrant("password")).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{32}$/),
      identity: {
        tokenUrl,
        clientId: sandbox.clientId,
        clientAuth: "basic", // the method, never the secret
        username: sandbox.username,
        grant: "password",
      },
      expiresAt: expect.any(Number),
      hasRefreshToken: true,
      lastUsedAt: expect.any(Number),
    });
    // RFC 6749 §4.4.3: no refresh token for client credentials; the client is the identity.
    expect(byGrant("client_credentials")).toMatchObject({
      identity: { tokenUrl, clientId: sandbox.clientId, grant: "client_credentials" },
      hasRefreshToken: false,
    });
    expect(byGrant("client_credentials")?.identity).not.toHaveProperty("username");
    // A switch grant's token is the user's identity switched to the tenant.
    expect(byGrant("password", "tenant-name:Coke")).toMatchObject({
      identity: { username: sandbox.username, switchedTo: "tenant-name:Coke" },
      hasRefreshToken: true,
    });
    for (const account of accounts) {
      // The sandbox's tokens live 9000 s: the expiry is the server's, seen from this run.
      expect(account.expiresAt).toBeGreaterThanOrEqual(before + 9000_000 - 1000);
      expect(account.expiresAt).toBeLessThanOrEqual(after + 9000_000);
      expect(account.lastUsedAt).toBeGreaterThanOrEqual(before);
      expect(account.lastUsedAt).toBeLessThanOrEqual(after);
    }

    const listing = JSON.stringify(accounts);
    const secrets = [...tokensIn(cacheFile), sandbox.password, sandbox.clientSecret];
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(listing).not.toContain(secret);
    // The file stays version 1, readable by an older passgrant, still 0600.
    expect(JSON.parse(readFileSync(cacheFile, "utf8")).version).toBe(1);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
  });

  // A valid cached token is read without the cache's lock; recording its use (at most once a
  // minute) still happens, under the lock.
  it("records a cache hit's use once a minute, not on every hit", async () => {
    const token = await cliToken();
    const file = JSON.parse(readFileSync(cacheFile, "utf8"));
    const [entry] = Object.values(file.entries) as { account: { lastUsedAt: number } }[];
    if (!entry) throw new Error("no cache entry");
    const stale = Date.now() - 120_000;
    entry.account.lastUsedAt = stale;
    writeFileSync(cacheFile, JSON.stringify(file), { mode: 0o600 });

    const before = Date.now();
    expect(await cliToken()).toBe(token);
    const [account] = await createFileTokenCache({ path: cacheFile }).accounts();
    expect(account?.lastUsedAt).toBeGreaterThanOrEqual(before);
    const written = readFileSync(cacheFile, "utf8");
    expect(await cliToken()).toBe(token);
    expect(readFileSync(cacheFile, "utf8")).toBe(written);
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it("serves a hit at once while another process holds the lock (the use is recorded later)", async () => {
    const token = await cliToken();
    const file = JSON.parse(readFileSync(cacheFile, "utf8"));
    for (const entry of Object.values(file.entries) as { account: { lastUsedAt: number } }[]) {
      entry.account.lastUsedAt = Date.now() - 120_000;
    }
    writeFileSync(cacheFile, JSON.stringify(file), { mode: 0o600 });
    const written = readFileSync(cacheFile, "utf8");
    // This test process plays another passgrant renewing: a live owner holds the lock.
    const lock = await acquireCacheLock(cacheFile, {
      waitMs: 0,
      onDebug: () => {},
      onWarning: () => {},
    });
    try {
      expect(await cliToken()).toBe(token);
    } finally {
      lock.release();
    }
    expect(readFileSync(cacheFile, "utf8")).toBe(written);
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it("lists an entry written before identities were recorded as an unknown identity", async () => {
    const token = await cliToken();
    const file = JSON.parse(readFileSync(cacheFile, "utf8"));
    for (const entry of Object.values(file.entries) as { account?: unknown }[]) {
      delete entry.account; // what passgrant wrote before this version
    }
    file.entries.junk = { not: "a token" }; // and an entry that is no token at all
    writeFileSync(cacheFile, JSON.stringify(file), { mode: 0o600 });

    const cache = createFileTokenCache({ path: cacheFile });
    const accounts = await cache.accounts();
    expect(accounts).toEqual([
      { key: expect.any(String), expiresAt: expect.any(Number), hasRefreshToken: true },
    ]);
    // Its token still serves the same configuration, and the CLI reuses it as before.
    expect(await cliToken()).toBe(token);
    expect(sandbox.stats().tokenRequests).toBe(1);
    // Silently too, once told where it came from.
    const [unknown] = accounts as [CachedAccount];
    await expect(
      cache.acquireTokenSilent(unknown, {
        tokenUrl: `${sandbox.url}/idm/v2/token`,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
      }),
    ).resolves.toMatchObject({ accessToken: token });
  });

  it("acquires a valid cached token silently, without a request", async () => {
    const token = await cliToken();
    const { user, client } = await cachedByCli();
    const requests = sandbox.stats().tokenRequests;
    const cache = createFileTokenCache({ path: cacheFile });
    const silent = await cache.acquireTokenSilent(user, { clientSecret: sandbox.clientSecret });
    expect(silent.accessToken).toBe(token);
    expect(
      (await cache.acquireTokenSilent(client, { clientSecret: sandbox.clientSecret })).accessToken,
    ).toMatch(/\S/);
    expect(sandbox.stats().tokenRequests).toBe(requests);
  });

  it("refreshes an expired account with its refresh token, and saves the renewal", async () => {
    const token = await cliToken();
    const { user } = await cachedByCli();
    const cache = createFileTokenCache({ path: cacheFile });
    // Three hours on: past the access token's 9000 s, within the refresh token's 18000 s.
    const later = () => Date.now() + 3 * HOUR_MS;
    const renewed = await cache.acquireTokenSilent(user, {
      clientSecret: sandbox.clientSecret,
      clock: later,
    });
    expect(renewed.accessToken).not.toBe(token);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({
      password: 1,
      client_credentials: 1,
      refresh_token: 1,
    });
    // The cache now holds the renewal, still recorded as the same identity.
    const again = (await cache.accounts()).find((a) => a.key === user.key);
    expect(again?.identity).toEqual(user.identity);
    expect(await cliToken()).toBe(renewed.accessToken);
  });

  it("asks for a sign-in, sending nothing, when the token expired without a refresh token", async () => {
    const { client } = await cachedByCli();
    const requests = sandbox.stats().tokenRequests;
    const cache = createFileTokenCache({ path: cacheFile });
    const attempt = cache.acquireTokenSilent(client, {
      clientSecret: sandbox.clientSecret,
      clock: () => Date.now() + 3 * HOUR_MS,
    });
    await expect(attempt).rejects.toBeInstanceOf(SignInRequiredError);
    await expect(attempt).rejects.toMatchObject({ code: "ERR_SIGN_IN_REQUIRED" });
    expect(sandbox.stats().tokenRequests).toBe(requests);
  });

  it("asks for a sign-in when the server refuses the refresh token, running no other grant", async () => {
    const { user } = await cachedByCli();
    sandbox.expireAllTokens(); // refresh tokens included
    const cache = createFileTokenCache({ path: cacheFile });
    await expect(
      cache.acquireTokenSilent(user, {
        clientSecret: sandbox.clientSecret,
        clock: () => Date.now() + 3 * HOUR_MS,
      }),
    ).rejects.toBeInstanceOf(SignInRequiredError);
    // One refresh attempt, refused; never the password grant again (silent has no password).
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({
      password: 1,
      client_credentials: 1,
      refresh_token: 1,
    });
  });

  it("refreshes with the client authentication the account recorded (client_secret_post here)", async () => {
    await cliToken(); // MSX_CLIENT_AUTH unset: basic
    const post = await runCli(
      ["token", "--cache", "--cache-file", cacheFile, "--grant", "password"],
      {
        env: { ...env, MSX_CLIENT_AUTH: "post", MSX_SCOPE: "read" },
      },
    );
    expect(post.code, post.stderr).toBe(0);
    const cache = createFileTokenCache({ path: cacheFile });
    const accounts = await cache.accounts();
    expect(accounts.map((a) => a.identity?.clientAuth).sort()).toEqual(["basic", "post"]);
    const account = accounts.find((a) => a.identity?.clientAuth === "post") as CachedAccount;
    const sent: Request[] = [];
    await cache.acquireTokenSilent(account, {
      clientSecret: sandbox.clientSecret,
      clock: () => Date.now() + 3 * HOUR_MS,
      fetch: (request) => {
        sent.push(request.clone());
        return globalThis.fetch(request);
      },
    });
    // RFC 6749 §2.3.1 client_secret_post: the secret in the form, no Authorization header.
    const [refresh] = sent;
    expect(refresh?.headers.get("authorization")).toBeNull();
    const form = new URLSearchParams(await refresh?.text());
    expect(form.get("grant_type")).toBe("refresh_token");
    expect(form.get("client_id")).toBe(sandbox.clientId);
    expect(form.has("client_secret")).toBe(true);
  });

  it("leaves out a client authentication method it does not know (an edited or newer file)", async () => {
    await cliToken();
    const file = JSON.parse(readFileSync(cacheFile, "utf8"));
    for (const entry of Object.values(file.entries) as { account: { clientAuth: string } }[]) {
      entry.account.clientAuth = "client_secret_jwt";
    }
    writeFileSync(cacheFile, JSON.stringify(file), { mode: 0o600 });
    const [account] = await createFileTokenCache({ path: cacheFile }).accounts();
    expect(account?.identity).toMatchObject({ grant: "password" });
    expect(account?.identity).not.toHaveProperty("clientAuth");
  });

  it("records the identity of a library provider's token through forIdentity", async () => {
    const cache = createFileTokenCache({ path: cacheFile });
    const identity = {
      tokenUrl: `${sandbox.url}/idm/v2/token`,
      clientId: sandbox.clientId,
      clientAuth: "post" as const,
      grant: "client_credentials",
      scope: "read",
      profile: "lab",
    };
    const provider = createTokenProvider({
      tokenUrl: identity.tokenUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      clientAuth: identity.clientAuth,
      grant: { type: "client_credentials" },
      scope: "read",
      ...cache.forIdentity(identity),
    });
    await provider.getToken();
    expect(await cache.accounts()).toEqual([
      expect.objectContaining({ identity, hasRefreshToken: false }),
    ]);
  });
});

describe("the silent grant", () => {
  it("needs a store and a key: it has nothing else to serve from", () => {
    expect(() =>
      createTokenProvider({
        tokenUrl: "https://login.example.com/token",
        clientId: "c",
        clientAuth: "none",
        grant: { type: "silent" },
      }),
    ).toThrow(ConfigError);
  });
});

describe("tokenCacheKey", () => {
  // Caches written by every earlier version are found by this key: the first 32 hex digits of
  // node:crypto's SHA-256 of the identity's JSON. It is computed in JavaScript now (start-up).
  it("is the key node:crypto's SHA-256 has always given, non-ASCII names included", () => {
    const identities = [
      { tokenUrl: "https://msx.example.com/idm/v2/token", clientId: "c", grant: "password" },
      {
        tokenUrl: "https://msx.example.com/idm/v2/token",
        clientId: "клиент",
        username: "Zoë 🐝",
        grant: "client_credentials",
        scope: "read write",
      },
    ];
    for (const identity of identities) {
      const json = JSON.stringify([
        identity.tokenUrl,
        identity.clientId,
        identity.username ?? "",
        identity.grant,
        identity.scope ?? "",
      ]);
      expect(tokenCacheKey(identity)).toBe(
        createHash("sha256").update(json).digest("hex").slice(0, 32),
      );
    }
  });
});
