import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type Forwarder, startForwarder } from "./forwarder.js";
import { type CliOptions, type CliProcess, startCli, tempDir } from "./run-cli.js";

/**
 * Every command runs with --verbose and unique canary secrets; none of them, nor any access or
 * refresh token the server issued, may appear in stdout, stderr or the process's argv (the
 * spawn arguments and /proc/<pid>/cmdline read while the process talks to the server).
 * `passgrant token` prints its access token on stdout by design: that one line is the exception.
 */
const clientSecret = `canary-client-secret-${randomUUID()}`;
const password = `canary-password-${randomUUID()}`;
const wrongPassword = `canary-wrong-password-${randomUUID()}`;
const clientId = "canary-client";
/** A seeded tenant without children, updated and then deleted by the last cases. */
const PEPSI = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03";
const username = "canary-user";

let sandbox: Sandbox;
let proxy: Forwarder;
let proxyUrl: string;
/** Tokens seen in token responses, in every form they travel. */
const issued = new Set<string>();
/** /proc/<pid>/cmdline of the CLI process, read while it waits for the server. */
const cmdlines: string[] = [];
let current: CliProcess | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({
    clients: [{ clientId, clientSecret }],
    users: [{ username, password }],
  });
  // A recording proxy in front of the sandbox: it learns every token issued and reads the
  // CLI's command line while the CLI is certainly running (waiting for this very response).
  proxy = await startForwarder(sandbox.url, {
    onRequest: () => {
      const pid = current?.child.pid;
      if (pid === undefined) return;
      try {
        cmdlines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
      } catch {
        // Not Linux: the spawn arguments are still checked.
      }
    },
    onResponse: (path, status, body) => {
      if (!path.startsWith("/idm/v2/token") || status !== 200) return;
      const token = JSON.parse(body) as { access_token?: string; refresh_token?: string };
      for (const value of [token.access_token, token.refresh_token]) if (value) issued.add(value);
    },
  });
  proxyUrl = proxy.url;
});

afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});

const env = (): Record<string, string> => ({
  MSX_BASE_URL: proxyUrl,
  MSX_CLIENT_ID: clientId,
  MSX_CLIENT_SECRET: clientSecret,
  MSX_USERNAME: username,
  MSX_PASSWORD: password,
});

/** Each secret as it could leak: raw, URL-encoded, and inside a Basic header. */
function leakForms(): string[] {
  const basic = (id: string, secret: string) => Buffer.from(`${id}:${secret}`).toString("base64");
  return [
    clientSecret,
    password,
    wrongPassword,
    encodeURIComponent(password),
    basic(clientId, clientSecret),
    basic(encodeURIComponent(clientId), encodeURIComponent(clientSecret)),
    ...issued,
  ];
}

async function run(args: string[], options: CliOptions = {}) {
  const cli = startCli([...args, "--verbose"], { env: env(), ...options });
  current = cli;
  const result = await cli.result;
  current = undefined;
  return { ...result, spawnArgs: cli.args.join(" ") };
}

function expectNoSecrets(text: string, where: string) {
  for (const secret of leakForms()) {
    expect(text.includes(secret), `${where} contains a secret`).toBe(false);
  }
}

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("secrets stay out of output and argv", { timeout: 60_000 }, () => {
  const cacheFile = join(tempDir(), "tokens.json");
  const cases: Array<[string, string[], CliOptions?, number?]> = [
    ["demo", ["demo"]],
    ["demo --json", ["demo", "--json"]],
    ["token", ["token"]],
    ["token --password-stdin", ["token", "--password-stdin"], { stdin: `${password}\n` }],
    ["token --cache", ["token", "--cache", "--cache-file", cacheFile]],
    [
      "token --grant refresh --cache",
      ["token", "--grant", "refresh", "--cache", "--cache-file", cacheFile],
    ],
    ["token --grant client_credentials", ["token", "--grant", "client_credentials"]],
    ["token --grant switch-tenant", ["token", "--grant", "switch-tenant", "--tenant-name", "Coke"]],
    [
      "token --grant switch-user",
      ["token", "--grant", "switch-user", "--switch-username", username],
    ],
    ["tenants list --all", ["tenants", "list", "--all", "--page-size", "2"]],
    ["tenants list --json", ["tenants", "list", "--json"]],
    ["tenants get (404)", ["tenants", "get", "00000000-0000-4000-8000-000000000000"], {}, 4],
    ["tenants create", ["tenants", "create", "--name", "canary-tenant", "--json"]],
    ["tenants update", ["tenants", "update", PEPSI, "--description", "updated", "--json"]],
    ["tenants delete", ["tenants", "delete", PEPSI]],
  ];

  it.each(cases)("%s", async (_name, args, options = {}, expectedCode = 0) => {
    const extra: Record<string, string> = options.stdin ? { MSX_PASSWORD: "" } : {};
    const result = await run(args, { ...options, env: { ...env(), ...extra } });
    expect(result.code, result.stderr).toBe(expectedCode);
    expect(result.stderr).toMatch(
      /passgrant: (GET|POST|DELETE) http:\/\/127\.0\.0\.1:\d+\S* -> \d{3} \(\d+ ms\)/,
    );
    if (args[0] === "token") {
      // The one intended output: the access token, alone on stdout.
      expect(issued.has(result.stdout.trim())).toBe(true);
      expectNoSecrets(result.stdout.replace(result.stdout.trim(), ""), "stdout");
    } else {
      expectNoSecrets(result.stdout, "stdout");
    }
    expectNoSecrets(result.stderr, "stderr");
    expectNoSecrets(result.spawnArgs, "argv");
  });

  it("a wrong password is not echoed in the OAuth error", async () => {
    const result = await run(["token"], { env: { ...env(), MSX_PASSWORD: wrongPassword } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_grant");
    expectNoSecrets(result.stdout + result.stderr, "output");
  });

  it("the sandbox command does not print the platform's secrets", async () => {
    const cli = startCli(["sandbox", "--verbose"], { env: env() });
    await cli.waitForStdout(/export MSX_PASSWORD=/);
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(0);
    expectNoSecrets(result.stdout + result.stderr + cli.args.join(" "), "sandbox output");
  });

  it("saw every command's argv while it ran, and no secret in any", () => {
    expect(issued.size).toBeGreaterThan(5);
    expect(cmdlines.length).toBeGreaterThan(cases.length);
    for (const cmdline of cmdlines) {
      expect(cmdline).toContain("dist/bin/passgrant.js");
      expectNoSecrets(cmdline, "/proc/<pid>/cmdline");
    }
  });
});
