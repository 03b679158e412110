import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyProfile,
  attributeToProfile,
  configFilePath,
  loadProfiles,
  profileKeys,
  profileNames,
  selectProfile,
} from "../../src/config/profiles.js";
import { configVariables } from "../../src/config/variables.js";
import { ConfigError } from "../../src/errors.js";

/** A fresh XDG_CONFIG_HOME, with `document` as its passgrant/config.json when given. */
function configHome(
  document?: unknown,
  mode = 0o600,
): { env: Record<string, string>; path: string } {
  const home = mkdtempSync(join(tmpdir(), "passgrant-config-"));
  const path = join(home, "passgrant", "config.json");
  if (document !== undefined) {
    mkdirSync(join(home, "passgrant"), { mode: 0o700 });
    const text = typeof document === "string" ? document : JSON.stringify(document);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
  }
  return { env: { XDG_CONFIG_HOME: home }, path };
}

const file = (profiles: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  format: "passgrant-config",
  version: 1,
  ...extra,
  profiles,
});

const lab = { baseUrl: "https://msx.lab.example", clientId: "lab-client", username: "ops" };

/** The ConfigError `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("the config file's location", () => {
  it("is $XDG_CONFIG_HOME/passgrant/config.json, overridden by PASSGRANT_CONFIG", () => {
    expect(configFilePath({ XDG_CONFIG_HOME: "/x/conf" })).toBe("/x/conf/passgrant/config.json");
    expect(configFilePath({ XDG_CONFIG_HOME: "/x/conf", PASSGRANT_CONFIG: "/y/p.json" })).toBe(
      "/y/p.json",
    );
    expect(configFilePath({})).toMatch(/\.config\/passgrant\/config\.json$/);
  });
});

describe("what a profile holds", () => {
  it("every MSX_* setting but the two secrets (a new variable must be added to profileKeys)", () => {
    const inProfiles = Object.values(profileKeys).map((entry) => entry.variable);
    const missing = Object.keys(configVariables).filter(
      (variable) => !inProfiles.includes(variable as never),
    );
    expect(missing).toEqual(["MSX_CLIENT_SECRET", "MSX_PASSWORD"]);
  });
});

describe("reading profiles", () => {
  it("has no profiles and no error without a file", async () => {
    const { env } = configHome();
    await expect(profileNames(env)).resolves.toEqual([]);
    expect(selectProfile(env)).toBeUndefined();
  });

  it("lists the names in file order and reads each profile's settings", async () => {
    const { env, path } = configHome(
      file({ lab, prod: { baseUrl: "https://msx.example.com", clientId: "p", timeoutMs: 5000 } }),
    );
    await expect(profileNames(env)).resolves.toEqual(["lab", "prod"]);
    const loaded = await loadProfiles(env);
    expect(loaded.path).toBe(path);
    expect(loaded.profiles.get("prod")).toEqual({
      baseUrl: "https://msx.example.com",
      clientId: "p",
      timeoutMs: 5000,
    });
  });

  it("resolves a relative caFile or spec against the config file's folder; a spec URL stays", async () => {
    const { env, path } = configHome(
      file({
        a: { caFile: "lab-ca.pem", spec: "specs/orders.yaml", clientAssertionKeyFile: "k.pem" },
        b: { spec: "https://specs.example/orders.yaml" },
      }),
    );
    const profiles = (await loadProfiles(env)).profiles;
    expect(profiles.get("a")).toEqual({
      caFile: join(path, "..", "lab-ca.pem"),
      clientAssertionKeyFile: join(path, "..", "k.pem"),
      spec: join(path, "..", "specs", "orders.yaml"),
    });
    expect(profiles.get("b")?.spec).toBe("https://specs.example/orders.yaml");
  });

  it("reports every problem at once, naming the file, the profile and the key, with a did-you-mean", () => {
    const { env, path } = configHome(
      file(
        {
          lab: {
            baseURL: "https://x.example",
            clientId: "c",
            timeoutMs: "30000",
            insecureTls: "no",
          },
          "bad name!": {},
          prod: "https://msx.example.com",
        },
        { curent: "lab" },
      ),
    );
    const error = configError(() => selectProfile(env));
    expect(error.problems).toEqual([
      `${path}: profile "lab": unknown key "baseURL"; did you mean "baseUrl"? A profile holds ${Object.keys(profileKeys).join(", ")}.`,
      `${path}: profile "lab": "timeoutMs" must be a whole number (a JSON number, not a string); remove the key to leave it unset.`,
      `${path}: profile "lab": "insecureTls" must be true or false (JSON booleans, not strings); remove the key to leave it unset.`,
      expect.stringMatching(/^.*: profile name "bad name!" is not a valid profile name/),
      `${path}: profile "prod": must be an object of settings, e.g. {"baseUrl": "https://msx.example.com"}.`,
      `${path}: unknown key "curent"; did you mean "current"? The file holds "format", "version", "current" and "profiles".`,
    ]);
  });

  it("refuses a secret in the file without showing it, and says where secrets go", () => {
    const { env } = configHome(
      file({
        lab: {
          ...lab,
          clientSecret: "canary-secret-1",
          password: "canary-pw-2",
          clientAssertionKey: "canary-pem-3",
        },
      }),
    );
    const error = configError(() => selectProfile(env, "lab"));
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('holds "clientAssertionKey", a secret');
    expect(error.message).toContain('holds "clientSecret", a secret');
    expect(error.message).toContain('holds "password", a secret');
    expect(error.message).toContain("set MSX_CLIENT_SECRET / MSX_PASSWORD in the environment");
    expect(error.message).not.toMatch(/canary/);
  });

  it("says what is wrong with a file that is not passgrant's, or not JSON", () => {
    const notOurs = configHome({ profiles: {} });
    expect(configError(() => selectProfile(notOurs.env)).message).toContain(
      `${notOurs.path}: "format" must be "passgrant-config" (it is missing)`,
    );
    const newer = configHome({ format: "passgrant-config", version: 2 });
    expect(configError(() => selectProfile(newer.env)).message).toContain(
      '"version" is 2: a newer passgrant wrote this file. Upgrade passgrant.',
    );
    const broken = configHome('{"format": "passgrant-config", "version": 1,');
    expect(configError(() => selectProfile(broken.env)).message).toMatch(
      new RegExp(`^The config file ${broken.path} is not valid JSON \\(.+\\)\\. Fix it`),
    );
    const array = configHome([]);
    expect(configError(() => selectProfile(array.env)).message).toContain(
      "must hold a JSON object",
    );
  });

  it("refuses a file others can write, a FIFO and a file over 256 KiB, in bounded time", () => {
    const shared = configHome(file({ lab }), 0o664);
    expect(configError(() => selectProfile(shared.env)).message).toBe(
      `The config file ${shared.path} is writable by other users (mode 0664): it decides where passwords are sent, so passgrant will not use it. If it is yours, run \`chmod 600 ${shared.path}\`.`,
    );
    const fifo = configHome();
    mkdirSync(join(fifo.path, ".."));
    execFileSync("mkfifo", ["-m", "600", fifo.path]);
    expect(configError(() => selectProfile(fifo.env)).message).toContain(
      "is a FIFO (named pipe), not a regular file",
    );
    const huge = configHome(
      `{"format":"passgrant-config","version":1,"x":"${"a".repeat(300_000)}"}`,
    );
    expect(configError(() => selectProfile(huge.env)).message).toContain(
      "is larger than 262144 bytes",
    );
  });

  it("follows a symbolic link to a file of this user (dotfile managers link it)", async () => {
    const target = configHome(file({ lab }));
    const linked = configHome();
    mkdirSync(join(linked.path, ".."));
    symlinkSync(target.path, linked.path);
    await expect(profileNames(linked.env)).resolves.toEqual(["lab"]);
  });
});

describe("selecting a profile", () => {
  const { env, path } = configHome(file({ lab, prod: { clientId: "p" } }, { current: "prod" }));

  it("takes --profile, else PASSGRANT_PROFILE, else the file's current", () => {
    expect(selectProfile({ ...env, PASSGRANT_PROFILE: "prod" }, "lab")).toMatchObject({
      name: "lab",
      selectedBy: "--profile",
      path,
      options: lab,
    });
    expect(selectProfile({ ...env, PASSGRANT_PROFILE: "lab" })).toMatchObject({
      name: "lab",
      selectedBy: "PASSGRANT_PROFILE",
    });
    expect(selectProfile(env)).toMatchObject({ name: "prod", selectedBy: "current" });
  });

  it("names an unknown profile with a did-you-mean and the list", () => {
    expect(configError(() => selectProfile(env, "lba")).message).toBe(
      `--profile names "lba", which is not a profile in ${path}; did you mean "lab"? Profiles: lab, prod. \`passgrant profile list\` shows them.`,
    );
    expect(configError(() => selectProfile({ ...env, PASSGRANT_PROFILE: "zzz" })).message).toMatch(
      /^PASSGRANT_PROFILE names "zzz", which is not a profile in .*\. Profiles: lab, prod\./,
    );
    const none = configHome();
    expect(configError(() => selectProfile(none.env, "lab")).message).toContain(
      `there is no config file (${none.path}). Create the profile with \`passgrant profile add lab`,
    );
    expect(configError(() => selectProfile(env, "../etc")).message).toContain(
      "is not a valid profile name",
    );
  });

  it("reports a current that names no profile, with how to pick one", () => {
    const stale = configHome(file({ lab }, { current: "gone" }));
    expect(configError(() => selectProfile(stale.env)).message).toContain(
      `The config file's "current" names "gone", which is not a profile`,
    );
  });
});

describe("applying a profile under the environment", () => {
  const profile = {
    name: "lab",
    selectedBy: "--profile" as const,
    path: "/c/config.json",
    options: { ...lab, timeoutMs: 5000, insecureTls: false },
  };
  const loaded = {
    env: { MSX_USERNAME: "from-env", MSX_CLIENT_ID: "", OTHER: "x" },
    sourceOf: (name: string) => (name === "MSX_USERNAME" ? "the environment" : undefined),
  };

  it("fills what the environment leaves unset (empty counts as unset), field by field", () => {
    const applied = applyProfile(loaded, profile);
    expect(applied.env).toEqual({
      MSX_BASE_URL: "https://msx.lab.example",
      MSX_CLIENT_ID: "lab-client",
      MSX_USERNAME: "from-env",
      MSX_TIMEOUT_MS: "5000",
      MSX_INSECURE_TLS: "false",
      OTHER: "x",
    });
    expect(applied.sourceOf("MSX_BASE_URL")).toBe('profile "lab" (/c/config.json)');
    expect(applied.sourceOf("MSX_USERNAME")).toBe("the environment");
    expect(applied.profileKeyOf("MSX_CLIENT_ID")).toBe("clientId");
    expect(applied.profileKeyOf("MSX_USERNAME")).toBeUndefined();
  });

  it("attributes a configuration problem to the profile key it came from", () => {
    const applied = applyProfile(loaded, profile);
    expect(attributeToProfile("MSX_BASE_URL must be an absolute http(s) URL", applied)).toBe(
      'MSX_BASE_URL (baseUrl of profile "lab" (/c/config.json)) must be an absolute http(s) URL',
    );
    expect(attributeToProfile("MSX_USERNAME is odd", applied)).toBe("MSX_USERNAME is odd");
    expect(attributeToProfile("MSX_SCOPE is not set: x.", applied)).toBe(
      'MSX_SCOPE is not set: x. Or set "scope" in profile "lab" (/c/config.json).',
    );
    expect(applyProfile(loaded, undefined).env).toEqual(loaded.env);
  });
});
