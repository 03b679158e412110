// The token cache against a hostile or broken disk (issue 10): every case ends, in bounded time,
// in exit 6 (ERR_CACHE) with advice that fits the cause, and never prints a token it did not get.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CacheError } from "../../src/cache/cache-error.js";
import { FileTokenStore, TOKEN_CACHE_FORMAT } from "../../src/cache/file-token-store.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type CliResult, cliPath, platformEnv, startCli, tempDir } from "./run-cli.js";

/** Runs the CLI, killing it if it has not ended in 30 s: a hang must fail the test, not stall it. */
async function runBounded(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const cli = startCli(args, { env });
  const killer = setTimeout(() => cli.child.kill("SIGKILL"), 30_000);
  try {
    return await cli.result;
  } finally {
    clearTimeout(killer);
  }
}

const NOBODY = 65534;

/**
 * The built executable where nobody can run it: the checkout may sit in a folder only its owner
 * can enter (`mktemp -d` makes them 0700), so the bundle is copied, in its package layout
 * (dist/bin beside package.json and openapi/), into a folder anyone can read.
 */
function executableForOthers(): string {
  const root = tempDir("passgrant-package-");
  chmodSync(root, 0o755);
  const packageRoot = join(dirname(cliPath), "..", "..");
  for (const part of ["dist/bin", "package.json", "openapi"]) {
    cpSync(join(packageRoot, part), join(root, part), { recursive: true });
  }
  return join(root, "dist", "bin", basename(cliPath));
}

/** The cache a first run wrote, with its one entry's access token replaced by `planted`. */
function plant(cacheFile: string, planted: string): void {
  const file = JSON.parse(readFileSync(cacheFile, "utf8"));
  for (const entry of Object.values(file.entries) as { accessToken: string }[]) {
    entry.accessToken = planted;
  }
  writeFileSync(cacheFile, JSON.stringify(file));
}

describe("passgrant token --cache on a hostile disk", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  beforeEach(async () => {
    sandbox = await startSandbox();
    env = platformEnv(sandbox);
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const token = (cacheFile: string, ...more: string[]) =>
    runBounded(["token", "--cache", "--cache-file", cacheFile, ...more], env);

  function expectCacheRefusal(result: CliResult, pattern: RegExp): void {
    expect(result.signal, "the CLI hung and was killed").toBeNull();
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    // One message: not also a warning that a new token is being requested (none is).
    expect(result.stderr).not.toContain("requesting a new token");
    expect(result.stdout).toBe("");
  }

  it("a parent that is a file: exit 6 naming it, at once", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    const result = await token(join(file, "sub", "tokens.json"));
    expectCacheRefusal(result, new RegExp(`${file} is a file, not a directory`));
    expect(sandbox.stats().tokenRequests).toBe(0);
  });

  it("a path under /proc that cannot be created: exit 6, not an endless native loop", async () => {
    const result = await token("/proc/passgrant-nonexistent/tokens.json");
    expectCacheRefusal(
      result,
      /directory \/proc\/passgrant-nonexistent cannot be created.*--cache/s,
    );
  });

  it("an existing /proc file: exit 6, not read as a cache", async () => {
    const result = await token("/proc/self/status");
    expectCacheRefusal(result, /directory \/proc\/self cannot be created or written \(EPERM\)/);
  });

  it("a FIFO: exit 6 instead of hanging in open()", async () => {
    const fifo = join(tempDir(), "tokens.json");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    const result = await token(fifo);
    expectCacheRefusal(result, /is a FIFO \(named pipe\), not a regular file/);
  });

  it("/dev/zero: exit 6 without reading it", async () => {
    const result = await token("/dev/zero");
    expectCacheRefusal(result, /\/dev\/zero is a device, not a regular file/);
  });

  it("a symlink to a valid cache: exit 6, never followed", async () => {
    const directory = tempDir();
    const real = join(directory, "real.json");
    expect((await token(real)).code).toBe(0);
    plant(real, "planted-through-a-link");
    const link = join(directory, "tokens.json");
    symlinkSync(real, link);
    const result = await token(link);
    expectCacheRefusal(result, /is a symbolic link, not a regular file/);
    expect(result.stdout).not.toContain("planted");
  });

  it("an unrelated file: exit 6, and left untouched", async () => {
    const file = join(tempDir(), "notes.json");
    writeFileSync(file, '{"todo": ["buy milk"]}\n');
    chmodSync(file, 0o644);
    const result = await token(file);
    expectCacheRefusal(result, /not a passgrant token cache.*another path, or remove that file/s);
    expect(readFileSync(file, "utf8")).toBe('{"todo": ["buy milk"]}\n');
    expect(statSync(file).mode & 0o777).toBe(0o644); // not even its mode is changed
  });

  it("a file larger than the 1 MiB cap: exit 6", async () => {
    const file = join(tempDir(), "tokens.json");
    writeFileSync(file, " ".repeat(1024 * 1024 + 1), { mode: 0o600 });
    expectCacheRefusal(await token(file), /larger than 1048576 bytes/);
  });

  it("a corrupt passgrant cache: replaced, with the warning printed once", async () => {
    const file = join(tempDir(), "tokens.json");
    writeFileSync(file, `{"format": "${TOKEN_CACHE_FORMAT}", "entries": {"x": `, { mode: 0o600 });
    const result = await token(file);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/corrupt/g)).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, "utf8")).format).toBe(TOKEN_CACHE_FORMAT);
  });

  it("a token planted in a 0777 directory owned by another user is not printed", async () => {
    const directory = join(tempDir(), "shared");
    const cacheFile = join(directory, "tokens.json");
    expect((await token(cacheFile)).code).toBe(0);
    plant(cacheFile, "planted-by-another-user");
    chmodSync(directory, 0o777);
    chownSync(directory, NOBODY, NOBODY);
    const result = await token(cacheFile);
    expectCacheRefusal(result, /directory .*shared belongs to another user \(uid 65534/);
    expect(result.stdout).not.toContain("planted");
  });

  it("a token planted in a 0777 directory of one's own is not printed; the advice is chmod", async () => {
    const directory = join(tempDir(), "open");
    const cacheFile = join(directory, "tokens.json");
    expect((await token(cacheFile)).code).toBe(0);
    plant(cacheFile, "planted-in-an-open-directory");
    chmodSync(directory, 0o777);
    const result = await token(cacheFile);
    expectCacheRefusal(
      result,
      new RegExp(`writable by other users \\(mode 0777\\).*chmod 700 ${directory}`, "s"),
    );
  });

  it("a token planted in a file owned by another user is not printed", async () => {
    const cacheFile = join(tempDir(), "tokens.json");
    expect((await token(cacheFile)).code).toBe(0);
    plant(cacheFile, "planted-in-their-file");
    chownSync(cacheFile, NOBODY, NOBODY);
    const result = await token(cacheFile);
    expectCacheRefusal(result, /file .*tokens\.json belongs to another user/);
  });

  it("a cache file others can read is set to 0600, with a warning, and still reused", async () => {
    const cacheFile = join(tempDir(), "tokens.json");
    const first = await token(cacheFile);
    chmodSync(cacheFile, 0o644);
    const second = await token(cacheFile);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/readable by other users; its mode is now 0600/);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it("an entry without an expiry is not reused forever: it is refreshed", async () => {
    const cacheFile = join(tempDir(), "tokens.json");
    const first = await token(cacheFile);
    const file = JSON.parse(readFileSync(cacheFile, "utf8"));
    for (const entry of Object.values(file.entries) as { expiresAt?: number }[]) {
      delete entry.expiresAt;
    }
    writeFileSync(cacheFile, JSON.stringify(file));
    const second = await token(cacheFile);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toBe(first.stdout);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({ password: 1, refresh_token: 1 });
  });

  it("a lock left by a process killed with SIGKILL is taken over at once, without waiting", async () => {
    // A token endpoint that never answers keeps the first run inside the lock.
    const hanging = await import("node:http").then(({ createServer }) => createServer(() => {}));
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const port = (hanging.address() as { port: number }).port;
    try {
      const cacheFile = join(tempDir(), "tokens.json");
      const holder = startCli(["token", "--cache", "--cache-file", cacheFile], {
        env: { ...env, MSX_TOKEN_URL: `http://127.0.0.1:${port}/token` },
      });
      const owner = join(`${cacheFile}.lock`, "owner");
      for (let i = 0; i < 300 && !existsSync(owner); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(existsSync(owner), holder.stderr()).toBe(true);
      holder.child.kill("SIGKILL");
      await holder.result;
      expect(existsSync(owner)).toBe(true); // the killed holder could not release it

      const next = await token(cacheFile, "--verbose");
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toContain(
        `took over the lock of process ${holder.child.pid}, which is no longer running`,
      );
      expect(next.stderr).toContain("lock taken after 0 waits");
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  // Root bypasses permission bits, so the CLI runs as nobody (setpriv) where only root may write:
  // a directory to create (mkdir fails) and an existing one (the lock's mkdir failed: 102 s).
  it.each([
    ["a directory it must create", join("passgrant", "tokens.json"), "passgrant"],
    ["an existing directory", "tokens.json", ""],
  ])(
    "an unwritable location, %s, as a user without rights: exit 6 at once",
    async (_, relative, missing) => {
      const parent = tempDir();
      chmodSync(parent, 0o755);
      const cacheFile = join(parent, relative);
      const home = tempDir("passgrant-home-");
      chmodSync(home, 0o755);
      const child = spawn(
        "setpriv",
        [
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          "--clear-groups",
          process.execPath,
          executableForOthers(),
          "token",
          "--cache",
          "--cache-file",
          cacheFile,
        ],
        { cwd: home, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...env } },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on("close", (c, s) => resolve([c, s])),
      );
      clearTimeout(killer);
      expectCacheRefusal(
        { code, signal: signal as NodeJS.Signals | null, stdout, stderr },
        new RegExp(
          `directory ${join(parent, missing)} cannot be created or written \\(EACCES\\).*--cache`,
          "s",
        ),
      );
      expect(sandbox.stats().tokenRequests).toBe(0);
    },
  );
});

describe("FileTokenStore on a hostile disk", () => {
  it("removes the temporary files of writers that died, keeps a live writer's", async () => {
    const directory = tempDir();
    const path = join(directory, "tokens.json");
    // A pid that ran and exited: its process no longer exists.
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.on("close", resolve));
    const orphans = [`tokens.json.${dead.pid}.tmp`, `tokens.json.${dead.pid}.1700000000000.tmp`];
    const live = `tokens.json.${process.ppid}.1700000000000.tmp`;
    for (const name of [...orphans, live]) {
      writeFileSync(join(directory, name), '{"entries":{"k":{"accessToken":"leaked"}}}', {
        mode: 0o600,
      });
    }
    const debug: string[] = [];
    const store = new FileTokenStore(path, { onDebug: (m) => debug.push(m) });
    await store.save("k", {
      accessToken: "a",
      tokenType: "Bearer",
      expiresAt: Date.now() + 60_000,
      raw: {},
    });
    expect(readdirSync(directory).sort()).toEqual([live, "tokens.json"].sort());
    expect(debug.filter((m) => m.includes("died while writing"))).toHaveLength(2);
  });

  it("reads at most 1 MiB of a file that reports size 0 and never ends (memory measured in a child)", async () => {
    // /proc/self/pagemap is a regular file of size 0 whose content runs to gigabytes: only the
    // read cap stops it. The child loads it with the built store and reports its peak RSS.
    const storeUrl = new URL("../../dist/cache/file-token-store.js", import.meta.url).href;
    const script = `
      const { FileTokenStore } = await import(${JSON.stringify(storeUrl)});
      let outcome;
      try { await new FileTokenStore("/proc/self/pagemap").load("k"); outcome = "loaded"; }
      catch (error) { outcome = error.problem ?? error.code ?? String(error); }
      console.log(JSON.stringify({ outcome, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await new Promise((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    const report = JSON.parse(stdout) as { outcome: string; maxRssKiB: number };
    expect(report.outcome).toBe("too-large");
    // A bare node process peaks around 50 MiB; reading the file whole would take gigabytes.
    expect(report.maxRssKiB).toBeLessThan(200 * 1024);
  });

  it("refuses to load from a directory others can write, even outside a lock", async () => {
    const directory = tempDir();
    const path = join(directory, "tokens.json");
    await new FileTokenStore(path).save("k", {
      accessToken: "a",
      tokenType: "Bearer",
      expiresAt: Date.now() + 60_000,
      raw: {},
    });
    chmodSync(directory, 0o777);
    await expect(new FileTokenStore(path).load("k")).rejects.toMatchObject({
      code: "ERR_CACHE",
      problem: "unsafe",
    });
  });

  it("fails with a CacheError, not a raw fs error, when the cache path is a directory", async () => {
    const path = join(tempDir(), "tokens.json");
    mkdirSync(path);
    const store = new FileTokenStore(path);
    await expect(store.load("k")).rejects.toMatchObject({
      constructor: CacheError,
      problem: "not-a-file",
    });
  });
});
