import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireCacheLock } from "../../src/cache/cache-lock.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { runCli, startCli, tempDir } from "./run-cli.js";

// `passgrant profile list|show|add|remove|use` through the built executable, each test with its
// own XDG_CONFIG_HOME.

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

function setup() {
  const home = tempDir("passgrant-config-");
  const cwd = tempDir();
  const path = join(home, "passgrant", "config.json");
  const env = { XDG_CONFIG_HOME: home };
  const profile = (...args: string[]) => runCli(["profile", ...args], { env, cwd });
  return { home, cwd, path, env, profile };
}

const ok = async (result: Promise<{ code: number | null; stdout: string; stderr: string }>) => {
  const done = await result;
  expect(done.code, done.stderr).toBe(0);
  return done;
};

describe("passgrant profile", { timeout: 60_000 }, () => {
  it("adds profiles to a 0600 file in a 0700 folder, written whole, keys in the documented order", async () => {
    const { cwd, path, profile } = setup();
    writeFileSync(join(cwd, "lab-ca.pem"), "not checked here beyond existing\n");
    const added = await ok(
      profile(
        "add",
        "lab",
        "--client-id",
        "lab-client",
        "--ca-file",
        "lab-ca.pem",
        "--base-url",
        "https://msx.lab.example/",
        "--timeout-ms",
        "5000",
        "--client-auth",
        "basic-raw",
      ),
    );
    expect(added.stdout).toBe(
      `Saved profile lab in ${path}. Use it with --profile lab, or make it the default: passgrant profile use lab.\n`,
    );
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      format: "passgrant-config",
      version: 1,
      profiles: {
        lab: {
          baseUrl: "https://msx.lab.example/",
          clientId: "lab-client",
          clientAuth: "basic-raw",
          caFile: join(cwd, "lab-ca.pem"),
          timeoutMs: 5000,
        },
      },
    });
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).profiles.lab)).toEqual([
      "baseUrl",
      "clientId",
      "clientAuth",
      "caFile",
      "timeoutMs",
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(path, ".."))).toEqual(["config.json"]);

    await ok(profile("add", "prod", "--issuer", "https://login.example.com", "--client-id", "p"));
    expect((await ok(profile("list"))).stdout).toBe(
      "  lab   https://msx.lab.example/  lab-client\n  prod  https://login.example.com  p\n",
    );
  });

  it("refuses secrets as flags and bad values, naming the flag, writing nothing", async () => {
    const { path, profile } = setup();
    const secret = await profile("add", "lab", "--client-id", "c", "--client-secret=canary-s3cret");
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain("--client-secret is not accepted");
    expect(secret.stderr).not.toContain("canary");
    const password = await profile("add", "lab", "--client-id", "c", "--password", "canary-pw");
    expect(password.code).toBe(2);
    expect(password.stderr).not.toContain("canary");

    const bad = await profile(
      "add",
      "lab",
      "--base-url",
      "http://msx.example.com",
      "--client-auth",
      "basic-row",
      "--retries",
      "99",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--client-id is required");
    expect(bad.stderr).toContain("--base-url uses plain http:// to msx.example.com");
    expect(bad.stderr).toMatch(/--client-auth must be one of basic, basic-raw, .*got "basic-row"/);
    expect(bad.stderr).toContain("--retries must be a whole number from 0");
    const badName = await profile(
      "add",
      "../x",
      "--base-url",
      "https://a.example",
      "--client-id",
      "c",
    );
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("is not a valid profile name");
    expect(existsSync(path)).toBe(false);
  });

  it("suggests the action meant, and warns when a profile turns TLS verification off", async () => {
    const { path, profile } = setup();
    const typo = await profile("lsit");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown action "lsit"; did you mean list?');
    const insecure = await ok(
      profile(
        "add",
        "lab",
        "--base-url",
        "https://a.example",
        "--client-id",
        "c",
        "--insecure-tls",
      ),
    );
    expect(insecure.stderr).toContain("profile lab turns TLS certificate verification off");
    expect(JSON.parse(readFileSync(path, "utf8")).profiles.lab.insecureTls).toBe(true);
    const misplaced = await profile("list", "--base-url", "https://a.example");
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("--base-url only applies to `profile add`");
  });

  it("refuses a config file that holds a secret, without showing it", async () => {
    const { path, profile } = setup();
    mkdirSync(join(path, ".."), { recursive: true });
    const document = {
      format: "passgrant-config",
      version: 1,
      profiles: { lab: { baseUrl: "https://a.example", client_secret: "canary-in-file" } },
    };
    writeFileSync(path, JSON.stringify(document), { mode: 0o600 });
    for (const args of [
      ["list"],
      ["add", "x", "--base-url", "https://b.example", "--client-id", "c"],
    ]) {
      const result = await profile(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${path}: profile "lab": holds "client_secret", a secret`);
      expect(result.stderr).toContain("passgrant never keeps secrets in its config file");
      expect(result.stderr).not.toContain("canary");
    }
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(document);
  });

  it("uses, lists, replaces and removes profiles; unknown names get a did-you-mean", async () => {
    const { path, profile } = setup();
    await ok(profile("add", "lab", "--base-url", "https://lab.example", "--client-id", "c"));
    await ok(profile("add", "prod", "--base-url", "https://prod.example", "--client-id", "c"));
    expect((await ok(profile("use", "prod"))).stdout).toContain("Profile prod is current now");
    expect((await ok(profile("list"))).stdout).toMatch(/^ {2}lab .*\n\* prod /);
    // --profile (and PASSGRANT_PROFILE) move the mark for this run.
    expect((await ok(profile("list", "--profile", "lab"))).stdout).toMatch(/^\* lab /);
    const json = JSON.parse((await ok(profile("list", "--json"))).stdout);
    expect(json).toEqual({
      path,
      current: "prod",
      selected: "prod",
      profiles: [
        { name: "lab", selected: false, baseUrl: "https://lab.example", clientId: "c" },
        { name: "prod", selected: true, baseUrl: "https://prod.example", clientId: "c" },
      ],
    });

    const again = await profile(
      "add",
      "lab",
      "--base-url",
      "https://x.example",
      "--client-id",
      "d",
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('The profile "lab" already exists');
    await ok(
      profile("add", "lab", "--base-url", "https://x.example", "--client-id", "d", "--replace"),
    );
    expect(JSON.parse(readFileSync(path, "utf8")).profiles.lab).toEqual({
      baseUrl: "https://x.example",
      clientId: "d",
    });

    const typo = await profile("remove", "prdo");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('"prdo", which is not a profile');
    expect(typo.stderr).toContain('did you mean "prod"? Profiles: lab, prod.');
    expect((await ok(profile("remove", "prod"))).stdout).toBe(
      `Removed profile prod from ${path}. No profile is current now.\n`,
    );
    expect(JSON.parse(readFileSync(path, "utf8")).current).toBeUndefined();
    await ok(profile("use", "lab"));
    await ok(profile("use", "--none"));
    expect(JSON.parse(readFileSync(path, "utf8")).current).toBeUndefined();
  });

  it("waits for another process changing the file, so both changes land", async () => {
    const { path, env, cwd, profile } = setup();
    await ok(profile("add", "a", "--base-url", "https://a.example", "--client-id", "a"));
    // Another writer holds the file's lock and changes the file meanwhile.
    const lock = await acquireCacheLock(path, { waitMs: 1000, onDebug() {}, onWarning() {} });
    const other = JSON.parse(readFileSync(path, "utf8"));
    other.profiles.other = { baseUrl: "https://other.example", clientId: "o" };
    writeFileSync(path, JSON.stringify(other));
    const adding = startCli(
      ["profile", "add", "b", "--base-url", "https://b.example", "--client-id", "b"],
      { env, cwd },
    );
    // Still waiting for the lock a second later (it waits up to 5 s), not done on its own.
    const early = await Promise.race([adding.result, sleep(1000).then(() => "waiting")]);
    expect(early).toBe("waiting");
    lock.release();
    const done = await adding.result;
    expect(done.code, done.stderr).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).profiles)).toEqual([
      "a",
      "other",
      "b",
    ]);
    expect(readdirSync(join(path, ".."))).toEqual(["config.json"]);
  });

  it("shows each effective value with its source, secrets only as set", async () => {
    const { cwd, env, profile } = setup();
    await ok(
      profile(
        "add",
        "lab",
        "--base-url",
        "https://lab.example",
        "--client-id",
        "lab-client",
        "--username",
        "ops",
      ),
    );
    writeFileSync(join(cwd, ".env"), "MSX_SCOPE=read\nMSX_PASSWORD=canary-dotenv-pw\n");
    const shown = await runCli(["profile", "show", "lab"], {
      env: { ...env, MSX_CLIENT_ID: "other-client", MSX_CLIENT_SECRET: "canary-env-secret" },
      cwd,
    });
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toMatch(/^profile lab \(.*config\.json\)$/);
    expect(lines).toContain("  baseUrl       https://lab.example  [profile]");
    expect(lines).toContain(
      '  clientId      other-client  [the environment (MSX_CLIENT_ID), overriding the profile\'s "lab-client"]',
    );
    expect(lines).toContain("  username      ops  [profile]");
    expect(lines).toContain("  scope         read  [./.env (MSX_SCOPE)]");
    expect(lines).toContain(
      "  clientSecret  (set, not shown)  [the environment (MSX_CLIENT_SECRET)]",
    );
    expect(lines).toContain("  password      (set, not shown)  [./.env (MSX_PASSWORD)]");
    expect(shown.stdout).not.toContain("canary");

    const json = JSON.parse(
      (
        await ok(
          runCli(["profile", "show", "--json"], { env: { ...env, PASSGRANT_PROFILE: "lab" }, cwd }),
        )
      ).stdout,
    );
    expect(json).toMatchObject({
      name: "lab",
      selected: true,
      settings: { baseUrl: { value: "https://lab.example", source: "profile" } },
    });
    expect(JSON.stringify(json)).not.toContain("canary");
    const none = await runCli(["profile", "show"], { env, cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("No profile is selected");
  });

  it("a profile added and made current drives passgrant token; a linked config file stays linked", async () => {
    const { home, env, profile } = setup();
    // The file lives elsewhere and is linked in, as dotfile managers do.
    const real = join(tempDir("passgrant-dotfiles-"), "config.json");
    writeFileSync(real, JSON.stringify({ format: "passgrant-config", version: 1, profiles: {} }), {
      mode: 0o600,
    });
    mkdirSync(join(home, "passgrant"), { mode: 0o700 });
    symlinkSync(real, join(home, "passgrant", "config.json"));
    await ok(
      profile(
        "add",
        "sandbox",
        "--base-url",
        sandbox.url,
        "--client-id",
        sandbox.clientId,
        "--username",
        sandbox.username,
      ),
    );
    await ok(profile("use", "sandbox"));
    expect(lstatSync(join(home, "passgrant", "config.json")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, "utf8")).current).toBe("sandbox");

    const token = await runCli(["token"], {
      env: { ...env, MSX_CLIENT_SECRET: sandbox.clientSecret, MSX_PASSWORD: sandbox.password },
    });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).not.toBe("");
  });

  it("gives passgrant api the profile's spec, a relative path stored absolute", async () => {
    const { cwd, env, profile } = setup();
    const fixture = fileURLToPath(new URL("../fixtures/library-api.yaml", import.meta.url));
    writeFileSync(join(cwd, "library.yaml"), readFileSync(fixture));
    await ok(
      profile(
        "add",
        "library",
        "--base-url",
        "https://library.example",
        "--client-id",
        "c",
        "--spec",
        "library.yaml",
      ),
    );
    const listed = await runCli(["api", "--list", "--profile", "library"], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^listBooks\s+GET\s/m);
    const missing = await profile(
      "add",
      "x",
      "--base-url",
      "https://a.example",
      "--client-id",
      "c",
      "--spec",
      "nope.yaml",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--spec: ${join(cwd, "nope.yaml")} is not a readable file`);
  });
});
