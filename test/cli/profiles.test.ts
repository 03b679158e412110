import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { runCli, tempDir } from "./run-cli.js";

// `--profile`, PASSGRANT_PROFILE and the config file's `current` driving real commands of the
// built executable against embedded sandboxes; MSX_* variables overriding the profile field by field.

let lab: Sandbox;
let other: Sandbox;
beforeAll(async () => {
  [lab, other] = await Promise.all([startSandbox(), startSandbox()]);
});
afterAll(async () => {
  await Promise.all([lab.close(), other.close()]);
});

/** A fresh XDG_CONFIG_HOME holding `profiles` (and `current`), and the secrets in the environment. */
function withProfiles(profiles: Record<string, unknown>, current?: string) {
  const home = tempDir("passgrant-config-");
  mkdirSync(join(home, "passgrant"), { mode: 0o700 });
  const path = join(home, "passgrant", "config.json");
  const document = { format: "passgrant-config", version: 1, current, profiles };
  writeFileSync(path, JSON.stringify(document), { mode: 0o600 });
  // Secrets never live in a profile: the environment (or a prompt) gives them.
  const env = {
    XDG_CONFIG_HOME: home,
    MSX_CLIENT_SECRET: lab.clientSecret,
    MSX_PASSWORD: lab.password,
  };
  return { env, path };
}

const labProfile = () => ({
  baseUrl: lab.url,
  clientId: lab.clientId,
  username: lab.username,
});

const requestsTo = (sandbox: Sandbox) => sandbox.stats().requests;

describe("profiles in the CLI", { timeout: 60_000 }, () => {
  it("--profile drives passgrant token and tenants list with nothing but secrets in the environment", async () => {
    const { env } = withProfiles({ lab: labProfile() });
    const before = lab.stats().tokenRequests;
    const token = await runCli(["token", "--profile", "lab"], { env });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^\S{16,}\n$/);
    expect(lab.stats().tokenRequests).toBe(before + 1);

    const list = await runCli(["tenants", "list", "--profile=lab"], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^[0-9a-f-]{36}: Coke$/m);
  });

  it("takes PASSGRANT_PROFILE, the file's current, and --profile before the command", async () => {
    const { env } = withProfiles({ lab: labProfile(), broken: { baseUrl: "https://x.invalid" } });
    const byVariable = await runCli(["tenants", "list"], {
      env: { ...env, PASSGRANT_PROFILE: "lab" },
    });
    expect(byVariable.code, byVariable.stderr).toBe(0);
    expect(byVariable.stdout).toContain(": Coke\n");

    const leading = await runCli(["--profile", "lab", "token"], { env });
    expect(leading.code, leading.stderr).toBe(0);

    const current = withProfiles({ lab: labProfile() }, "lab");
    const byCurrent = await runCli(["token"], { env: current.env });
    expect(byCurrent.code, byCurrent.stderr).toBe(0);
  });

  it("lets MSX_* variables override the profile field by field", async () => {
    // The profile points at `lab` with a client id that does not exist; the environment moves
    // the base URL to `other` and fixes the client id, while the profile's username still applies.
    const { env } = withProfiles({ lab: { ...labProfile(), clientId: "no-such-client" } });
    const [labBefore, otherBefore] = [requestsTo(lab), requestsTo(other)];
    const result = await runCli(["tenants", "list", "--profile", "lab"], {
      env: { ...env, MSX_BASE_URL: other.url, MSX_CLIENT_ID: other.clientId },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(requestsTo(lab)).toBe(labBefore);
    expect(requestsTo(other)).toBe(otherBefore + 2); // the token, then the page

    // Without the override, the profile's client id is the one sent (and refused).
    const refused = await runCli(["token", "--profile", "lab"], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("invalid_client");
    // The advice names settings; the profile in use is named with it.
    expect(refused.stderr).toContain(`Settings came from profile "lab"`);
  });

  it("refuses an unknown profile with exit 2, a did-you-mean and the list, before any request", async () => {
    const { env, path } = withProfiles({ lab: labProfile(), prod: { clientId: "p" } });
    const before = requestsTo(lab);
    const result = await runCli(["token", "--profile", "lba"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `passgrant: --profile names "lba", which is not a profile in ${path}; did you mean "lab"? Profiles: lab, prod. \`passgrant profile list\` shows them.\n`,
    );
    const byVariable = await runCli(["tenants", "list"], {
      env: { ...env, PASSGRANT_PROFILE: "staging" },
    });
    expect(byVariable.code).toBe(2);
    expect(byVariable.stderr).toContain('PASSGRANT_PROFILE names "staging"');
    expect(requestsTo(lab)).toBe(before);
  });

  it("says which profile and key a bad value came from, and names the profile as a value's source", async () => {
    const { env, path } = withProfiles({
      lab: { ...labProfile(), baseUrl: "http://msx.example.com", timeoutMs: 0 },
    });
    const result = await runCli(["tenants", "list", "--profile", "lab"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `MSX_BASE_URL (baseUrl of profile "lab" (${path})) uses plain http:// to msx.example.com`,
    );
    expect(result.stderr).toContain(
      `MSX_TIMEOUT_MS (timeoutMs of profile "lab" (${path})) must be a whole number`,
    );

    // The token endpoint on another host than the API: the warning says where each URL came from.
    const warned = await runCli(["token", "--profile", "lab"], {
      env: {
        ...withProfiles({ lab: labProfile() }).env,
        MSX_TOKEN_URL: `${lab.url.replace("127.0.0.1", "localhost")}/idm/v2/token`,
      },
    });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(
      /MSX_TOKEN_URL \(from the environment\) is on localhost, MSX_BASE_URL \(from profile "lab" \(.*config\.json\)\) is on 127\.0\.0\.1/,
    );
  });

  it("refuses PASSGRANT_PROFILE or PASSGRANT_CONFIG in a dotenv file, which it would not obey", async () => {
    const { env } = withProfiles({ lab: labProfile() });
    const cwd = tempDir();
    writeFileSync(join(cwd, ".env"), "PASSGRANT_PROFILE=lab\n");
    const result = await runCli(["token"], { env, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "PASSGRANT_PROFILE is set in ./.env, where passgrant does not read it: it is read from the real environment only",
    );
    // Exported, the same name is obeyed.
    const exported = await runCli(["token"], { env: { ...env, PASSGRANT_PROFILE: "lab" }, cwd });
    expect(exported.code, exported.stderr).toBe(0);
  });

  it("stops on a config file that is not valid, naming it, only for commands that read it", async () => {
    const home = tempDir("passgrant-config-");
    mkdirSync(join(home, "passgrant"));
    const path = join(home, "passgrant", "config.json");
    writeFileSync(path, "{ not json", { mode: 0o600 });
    const result = await runCli(["token", "--profile", "lab"], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^passgrant: The config file ${path} is not valid JSON`),
    );
    // Without a profile named anywhere the file is still read (for its current), so it still stops.
    const plain = await runCli(["token"], { env: { XDG_CONFIG_HOME: home } });
    expect(plain.code).toBe(2);
    // `--help` reads no configuration.
    const help = await runCli(["token", "--help"], { env: { XDG_CONFIG_HOME: home } });
    expect(help.code).toBe(0);
  });
});
