import { afterEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { json, type LocalServer, startServer } from "../transport/local-server.js";
import { platformEnv, runCli } from "./run-cli.js";

/**
 * A real token endpoint on 127.0.0.1 answering each path its own way: the failures a user meets
 * with a wrong URL, a proxy in the way, or a server of another make.
 */
async function tokenServer(): Promise<LocalServer> {
  return startServer((request, _body, response) => {
    switch (request.url) {
      case "/missing/token":
        response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
        return;
      case "/moved/token":
        response.writeHead(308, { Location: "https://login.example.test/token" }).end();
        return;
      case "/proxy/token":
        response
          .writeHead(401, { "Content-Type": "text/html", "WWW-Authenticate": 'Basic realm="corp"' })
          .end("<html><body>Authorization Required</body></html>");
        return;
      case "/bad-client/token":
        json(response, 401, {
          error: "invalid_client",
          error_description: "unknown client id or wrong client secret",
        });
        return;
      case "/authlib/token":
        // Authlib answers a wrong password with invalid_request, not invalid_grant.
        json(response, 400, {
          error: "invalid_request",
          error_description: 'Invalid "username" or "password" in request.',
        });
        return;
      default:
        json(response, 500, { error: "server_error" });
    }
  });
}

const credentials = {
  MSX_CLIENT_ID: "cli-test-client",
  MSX_CLIENT_SECRET: "cli-test-client-secret",
  MSX_USERNAME: "cli-test-user",
  MSX_PASSWORD: "cli-test-password",
};

let server: LocalServer | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await server?.close();
  await sandbox?.close();
  server = undefined;
  sandbox = undefined;
});

async function tokenAt(path: string, env: Record<string, string> = {}) {
  server ??= await tokenServer();
  return runCli(["token"], {
    env: {
      ...credentials,
      MSX_BASE_URL: server.url,
      MSX_TOKEN_URL: `${server.url}${path}`,
      ...env,
    },
  });
}

describe("HTTP errors from the token endpoint", { timeout: 60_000 }, () => {
  it("a 404 exits 3 (the token side, not an API call) and says to check MSX_BASE_URL / MSX_TOKEN_URL", async () => {
    const result = await tokenAt("/missing/token");
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("answered HTTP 404");
    expect(result.stderr).toMatch(
      /check MSX_TOKEN_URL \(or MSX_BASE_URL, which it defaults from, or MSX_ISSUER\)/,
    );
    expect(result.stderr).not.toContain("`tokenUrl`");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a redirect exits 3, is not followed, and names the variable to change", async () => {
    const result = await tokenAt("/moved/token");
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("redirected to https://login.example.test/token");
    expect(result.stderr).toContain("point MSX_TOKEN_URL");
    expect(server?.seen.map((r) => r.path)).toEqual(["/moved/token"]);
  });

  it("a proxy's 401 exits 3", async () => {
    const result = await tokenAt("/proxy/token");
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("answered HTTP 401");
  });

  it("an API call's HTTP error still exits 4", async () => {
    sandbox = await startSandbox();
    const result = await runCli(["tenants", "get", "0b5c8c1e-0000-4000-8000-000000000000"], {
      env: platformEnv(sandbox),
    });
    expect(result.code, result.stderr).toBe(4);
  });
});

describe("the token endpoint's refusals, in the CLI's words", { timeout: 60_000 }, () => {
  it("invalid_client: the server's text intact, the advice once, with MSX_CLIENT_AUTH values that fit a confidential client", async () => {
    const result = await tokenAt("/bad-client/token", { MSX_CLIENT_SECRET: "s3cr3t-value" });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("unknown client id or wrong client secret");
    expect(result.stderr).toContain("MSX_CLIENT_AUTH=basic (HTTP Basic");
    expect(result.stderr).toContain(
      "If MSX_CLIENT_ID and MSX_CLIENT_SECRET are right, the server may expect another mode: try MSX_CLIENT_AUTH=basic-raw or MSX_CLIENT_AUTH=post",
    );
    expect(result.stderr.match(/MSX_CLIENT_AUTH=basic-raw/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/none|clientAuth|`/);
  });

  it("invalid_client for a public client (MSX_CLIENT_AUTH=none) suggests setting a secret", async () => {
    const { MSX_CLIENT_SECRET: _, ...withoutSecret } = credentials;
    server = await tokenServer();
    const result = await runCli(["token"], {
      env: {
        ...withoutSecret,
        MSX_CLIENT_AUTH: "none",
        MSX_BASE_URL: server.url,
        MSX_TOKEN_URL: `${server.url}/bad-client/token`,
      },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "if the client is confidential, set MSX_CLIENT_SECRET and MSX_CLIENT_AUTH=basic",
    );
  });

  it("invalid_request for the password grant points at the username and password, not at a bug", async () => {
    const result = await tokenAt("/authlib/token");
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("wrong username or password");
    expect(result.stderr).toContain("check the grant's MSX_USERNAME and MSX_PASSWORD");
    expect(result.stderr).not.toMatch(/report this/i);
  });

  it("invalid_request for an unknown switch-tenant name says to check the tenant", async () => {
    sandbox = await startSandbox();
    const result = await runCli(
      ["token", "--grant", "switch-tenant", "--tenant-name", "No Such Tenant"],
      { env: platformEnv(sandbox) },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_request");
    expect(result.stderr).toContain("Check the target tenant");
    expect(result.stderr).not.toMatch(/report this/i);
  });
});

describe("an HTML page instead of a token response", { timeout: 60_000 }, () => {
  it("names the variable, not the library option", async () => {
    server = await startServer((_request, _body, response) => {
      response
        .writeHead(200, { "Content-Type": "text/html" })
        .end("<html><body>Sign in</body></html>");
    });
    const result = await runCli(["token"], {
      env: { ...credentials, MSX_BASE_URL: server.url, MSX_TOKEN_URL: `${server.url}/login` },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "MSX_TOKEN_URL (or MSX_BASE_URL, which it defaults from, or MSX_ISSUER) should be the OAuth2 token endpoint",
    );
    expect(result.stderr).not.toContain("`");
  });
});
