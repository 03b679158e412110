import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { json, type LocalServer, startServer } from "../transport/local-server.js";
import { platformEnv, runCli, tempDir } from "./run-cli.js";

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

/** A directory holding `files`, as the CLI's working directory. */
function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const dotenvText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([name, value]) => `${name}=${value}\n`)
    .join("");

describe("naming the dotenv file", { timeout: 60_000 }, () => {
  it("reads --dotenv FILE, which Node 20 does not claim for itself", async () => {
    const cwd = dirWith({ "lab.env": dotenvText(platformEnv(sandbox)) });
    const result = await runCli(["token", "--dotenv", "lab.env"], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+\n$/);
  });

  it("reads the file named by PASSGRANT_ENV_FILE", async () => {
    const cwd = dirWith({ "lab.env": dotenvText(platformEnv(sandbox)) });
    const result = await runCli(["token"], { cwd, env: { PASSGRANT_ENV_FILE: "lab.env" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+\n$/);
  });

  it("still reads --env-file FILE where it reaches passgrant (the file exists)", async () => {
    const cwd = dirWith({ "lab.env": dotenvText(platformEnv(sandbox)) });
    const result = await runCli(["token", "--env-file", "lab.env"], { cwd });
    expect(result.code, result.stderr).toBe(0);
  });

  it("says clearly, with exit 2, that a --dotenv file is missing", async () => {
    const result = await runCli(["token", "--dotenv", "missing.env"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^passgrant: --dotenv missing\.env: no such file/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names PASSGRANT_ENV_FILE when the file it names is missing", async () => {
    const result = await runCli(["token"], { env: { PASSGRANT_ENV_FILE: "gone.env" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^passgrant: PASSGRANT_ENV_FILE gone\.env: no such file/);
  });
});

describe("a token endpoint on another host than the API", { timeout: 60_000 }, () => {
  it("is announced once, before any request, naming where each URL came from", async () => {
    // A stray .env in the current directory points the token endpoint elsewhere (here: the same
    // sandbox under another loopback name, so the request can still succeed).
    const port = new URL(sandbox.url).port;
    const cwd = dirWith({ ".env": `MSX_TOKEN_URL=http://localhost:${port}/idm/v2/token\n` });
    const result = await runCli(["token", "--verbose"], { cwd, env: platformEnv(sandbox) });
    const warnings = result.stderr.match(/another host/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(result.stderr).toMatch(
      /warning: the token endpoint is on another host than the API: MSX_TOKEN_URL \(from \.\/\.env\) is on localhost, MSX_BASE_URL \(from the environment\) is on 127\.0\.0\.1/,
    );
    const warningAt = result.stderr.indexOf("another host");
    const firstRequestAt = result.stderr.indexOf("POST ");
    expect(firstRequestAt).toBeGreaterThan(warningAt);
  });

  it("names the --dotenv file as the source", async () => {
    const port = new URL(sandbox.url).port;
    const cwd = dirWith({
      "lab.env": dotenvText({
        ...platformEnv(sandbox),
        MSX_TOKEN_URL: `http://localhost:${port}/idm/v2/token`,
      }),
    });
    const result = await runCli(["token", "--dotenv", "lab.env"], { cwd });
    expect(result.stderr).toContain("MSX_TOKEN_URL (from lab.env) is on localhost");
    expect(result.stderr).toContain("MSX_BASE_URL (from lab.env) is on 127.0.0.1");
  });

  it("says nothing when both are on the same host", async () => {
    const result = await runCli(["token"], {
      env: { ...platformEnv(sandbox), MSX_TOKEN_URL: `${sandbox.url}/idm/v2/token` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
  });
});

describe("the token URL", { timeout: 60_000 }, () => {
  let server: LocalServer;
  afterEach(async () => {
    await server?.close();
  });

  it("keeps its trailing slash (a server that answers only /token/)", async () => {
    server = await startServer((request, _body, response) => {
      if (request.method === "POST" && request.url === "/token/") {
        json(response, 200, { access_token: "slash-token-value", token_type: "Bearer" });
      } else if (request.url === "/token") {
        response.writeHead(308, { Location: "/token/" }).end();
      } else {
        json(response, 404, { error: "not_found" });
      }
    });
    const result = await runCli(["token"], {
      env: { ...platformEnv(sandbox), MSX_TOKEN_URL: `${server.url}/token/` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("slash-token-value\n");
    expect(server.seen.map((r) => r.path)).toEqual(["/token/"]);
  });

  it("is enough for `passgrant token`: MSX_BASE_URL is not needed", async () => {
    const { MSX_BASE_URL, ...env } = platformEnv(sandbox);
    const result = await runCli(["token"], {
      env: { ...env, MSX_TOKEN_URL: `${MSX_BASE_URL}/idm/v2/token` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+\n$/);
  });

  it("missing with no base URL: the error says the token URL defaults from MSX_BASE_URL", async () => {
    const { MSX_BASE_URL: _, ...env } = platformEnv(sandbox);
    const result = await runCli(["token"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MSX_BASE_URL is not set");
    expect(result.stderr).toContain("defaults to $MSX_BASE_URL/idm/v2/token");
    expect(result.stderr).toContain("MSX_TOKEN_URL");
  });

  it("tenants still require MSX_BASE_URL (they call the API)", async () => {
    const { MSX_BASE_URL, ...env } = platformEnv(sandbox);
    const result = await runCli(["tenants", "list"], {
      env: { ...env, MSX_TOKEN_URL: `${MSX_BASE_URL}/idm/v2/token` },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MSX_BASE_URL is not set");
    expect(sandbox.stats().tokenRequests).toBe(0);
  });
});
