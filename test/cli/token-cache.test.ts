import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TokenSet } from "../../src/auth/types.js";
import { tokenCacheKey } from "../../src/cache/accounts.js";
import {
  defaultTokenCachePath,
  FileTokenStore,
  TOKEN_CACHE_FORMAT,
} from "../../src/cache/file-token-store.js";
import { messageForCli } from "../../src/cli/advice.js";
import { ExitCode, exitCodeFor } from "../../src/cli/exit-codes.js";
import { CacheError } from "../../src/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli, tempDir } from "./run-cli.js";

const token = (accessToken: string): TokenSet => ({
  accessToken,
  tokenType: "Bearer",
  expiresAt: 4_102_444_800_000,
  refreshToken: `${accessToken}-refresh`,
  raw: { access_token: accessToken },
});

describe("FileTokenStore", () => {
  it("saves, loads and clears entries by key, in a 0600 file in a 0700 directory", async () => {
    const path = join(tempDir(), "nested", "tokens.json");
    const store = new FileTokenStore(path);
    expect(await store.load("a")).toBeUndefined();
    await store.save("a", token("first"));
    await store.save("b", token("second"));
    expect(await store.load("a")).toEqual(token("first"));
    expect(await store.load("b")).toEqual(token("second"));
    await store.clear("a");
    expect(await store.load("a")).toBeUndefined();
    expect(await store.load("b")).toEqual(token("second"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    // Atomic writes leave no temporary files or locks behind.
    expect(readdirSync(join(path, ".."))).toEqual(["tokens.json"]);
  });

  it("replaces a corrupt passgrant cache with one warning, whether loading or saving", async () => {
    const path = join(tempDir(), "tokens.json");
    // What a truncated passgrant cache looks like: its marker, then nothing well-formed.
    writeFileSync(path, `{ "format": "${TOKEN_CACHE_FORMAT}", "version": 1, "entr`, {
      mode: 0o600,
    });
    const warnings: string[] = [];
    const store = new FileTokenStore(path, { onWarning: (m) => warnings.push(m) });
    await store.withLock("a", async () => {
      expect(await store.load("a")).toBeUndefined();
      await store.save("a", token("fresh"));
    });
    expect(warnings).toEqual([expect.stringContaining("corrupt")]);
    const written = JSON.parse(readFileSync(path, "utf8"));
    expect(written.format).toBe(TOKEN_CACHE_FORMAT);
    expect(written.entries.a.accessToken).toBe("fresh");
  });

  it("reads the file passgrant 0.1 wrote (no format marker) as its own", async () => {
    const path = join(tempDir(), "tokens.json");
    writeFileSync(path, JSON.stringify({ version: 1, entries: { a: token("old") } }), {
      mode: 0o600,
    });
    const store = new FileTokenStore(path);
    expect(await store.load("a")).toEqual(token("old"));
    await store.save("b", token("new"));
    expect(await store.load("a")).toEqual(token("old"));
  });

  it("loads an entry without an expiry as expired, keeping its refresh token", async () => {
    const path = join(tempDir(), "tokens.json");
    const { expiresAt: _, ...noExpiry } = token("forever");
    const store = new FileTokenStore(path);
    await store.save("a", noExpiry);
    expect(await store.load("a")).toEqual({ ...noExpiry, expiresAt: 0 });
  });

  it("serialises withLock sections, even within one process", async () => {
    const store = new FileTokenStore(join(tempDir(), "tokens.json"));
    const events: string[] = [];
    const section = (name: string) =>
      store.withLock("k", async () => {
        events.push(`${name}:in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        await store.save(name, token(name));
        events.push(`${name}:out`);
      });
    await Promise.all([section("a"), section("b")]);
    const first = events[0]?.split(":")[0];
    const second = events[2]?.split(":")[0];
    expect(events).toEqual([`${first}:in`, `${first}:out`, `${second}:in`, `${second}:out`]);
    expect(new Set([first, second])).toEqual(new Set(["a", "b"]));
    expect(await store.load("a")).toBeDefined();
    expect(await store.load("b")).toBeDefined();
  });

  it("keeps a second caller out while the first holds the lock across an await", async () => {
    const store = new FileTokenStore(join(tempDir(), "tokens.json"));
    const events: string[] = [];
    let releaseFirst = () => {};
    const first = store.withLock("k", async () => {
      events.push("first:in");
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      events.push("first:out");
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first now holds the lock
    const second = store.withLock("k", async () => {
      events.push("second:in");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(["first:in", "first:out", "second:in"]);
  });

  it("takes over the stale lock of a holder that crashed", async () => {
    const path = join(tempDir(), "tokens.json");
    // What a process killed inside withLock leaves behind: the lock directory, no longer touched.
    mkdirSync(`${path}.lock`);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, aMinuteAgo, aMinuteAgo);
    const store = new FileTokenStore(path);
    await store.save("a", token("after-crash"));
    expect(await store.load("a")).toEqual(token("after-crash"));
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("gives up on a lock a live process keeps holding, with ERR_CACHE and what to do", async () => {
    const path = join(tempDir(), "tokens.json");
    // Fresh and owned by a live process (this test's parent): not abandoned.
    mkdirSync(`${path}.lock`);
    writeFileSync(
      join(`${path}.lock`, "owner"),
      JSON.stringify({ pid: process.ppid, host: hostname(), nonce: "x" }),
    );
    const store = new FileTokenStore(path, { lockWaitMs: 200 });
    const attempt = store.withLock("k", async () => "never");
    await expect(attempt).rejects.toBeInstanceOf(CacheError);
    await expect(attempt).rejects.toMatchObject({ code: "ERR_CACHE", problem: "locked" });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `locked by another passgrant process \\(process ${process.ppid}\\).*cache \`path\``,
        "s",
      ),
    );
    const error = (await attempt.catch((caught: unknown) => caught)) as CacheError;
    expect(exitCodeFor(error)).toBe(ExitCode.cache);
    // The library speaks of its `path` option; the CLI says the same in its flags.
    expect(messageForCli(error)).toMatch(
      new RegExp(`process ${process.ppid}\\).*Run without --cache, or point --cache-file`, "s"),
    );
  });

  it("keys by identity without secrets, and defaults under XDG_CACHE_HOME", () => {
    const key = tokenCacheKey({
      tokenUrl: "https://msx.example.com/idm/v2/token",
      clientId: "client",
      username: "superuser",
      grant: "password",
    });
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(key).not.toBe(
      tokenCacheKey({
        tokenUrl: "https://msx.example.com/idm/v2/token",
        clientId: "client",
        username: "other",
        grant: "password",
      }),
    );
    expect(defaultTokenCachePath({ XDG_CACHE_HOME: "/x/cache" })).toBe(
      "/x/cache/passgrant/tokens.json",
    );
    expect(defaultTokenCachePath({})).toMatch(/\.cache\/passgrant\/tokens\.json$/);
  });
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant token --cache", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it("reuses the cached token on the second run without a grant", async () => {
    const cacheFile = join(tempDir(), "cache", "tokens.json");
    const env = platformEnv(sandbox);
    const first = await runCli(["token", "--cache", "--cache-file", cacheFile], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(sandbox.stats().tokenRequests).toBe(1);
    const second = await runCli(["token", "--cache", "--cache-file", cacheFile], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(sandbox.stats().tokenRequests).toBe(1);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    // The file holds tokens under hashed keys: no password, no client secret.
    const text = readFileSync(cacheFile, "utf8");
    expect(text).not.toContain(env.MSX_PASSWORD);
    expect(text).not.toContain(env.MSX_CLIENT_SECRET);
  });

  it("uses the default cache path under XDG_CACHE_HOME", async () => {
    const cacheHome = tempDir();
    const env = { ...platformEnv(sandbox), XDG_CACHE_HOME: cacheHome };
    expect((await runCli(["token", "--cache"], { env })).code).toBe(0);
    expect((await runCli(["token", "--cache"], { env })).code).toBe(0);
    expect(sandbox.stats().tokenRequests).toBe(1);
    expect(existsSync(join(cacheHome, "passgrant", "tokens.json"))).toBe(true);
  });

  it("runs exactly one grant for five concurrent invocations", async () => {
    const cacheFile = join(tempDir(), "tokens.json");
    const env = platformEnv(sandbox);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        runCli(["token", "--cache", "--cache-file", cacheFile], { env }),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it("forces a renewal through the cached refresh token with --grant refresh", async () => {
    const cacheFile = join(tempDir(), "tokens.json");
    const env = platformEnv(sandbox);
    const first = await runCli(["token", "--cache", "--cache-file", cacheFile], { env });
    expect(first.code, first.stderr).toBe(0);
    const forced = await runCli(
      ["token", "--cache", "--cache-file", cacheFile, "--grant", "refresh"],
      {
        env,
      },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).not.toBe(first.stdout);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({ password: 1, refresh_token: 1 });
    // The renewed token is what the cache now hands out.
    const third = await runCli(["token", "--cache", "--cache-file", cacheFile], { env });
    expect(third.stdout).toBe(forced.stdout);
    expect(sandbox.stats().tokenRequests).toBe(2);
  });

  it("refuses --cache-file without --cache", async () => {
    const result = await runCli(["token", "--cache-file", "/tmp/x.json"], {
      env: platformEnv(sandbox),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--cache-file only applies with --cache");
  });
});
