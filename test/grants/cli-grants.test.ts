import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTokenProvider } from "../../src/index.js";
import { runCli, startCli, tempDir } from "../cli/run-cli.js";
import { CLIENT_ID, CLIENT_SECRET, startOidcServer } from "./oidc-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

describe("passgrant token with MSX_ISSUER (built CLI, oidc-provider)", () => {
  it("finds the token endpoint in the issuer's metadata", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: CLIENT_ID,
        MSX_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[\x21-\x7e]+\n$/);
    expect(server.seen).toContain("GET /.well-known/oauth-authorization-server");
    expect(server.seen).toContain("POST /token");
  });

  it("refuses metadata for another issuer, in the CLI's words", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_ISSUER: `${server.issuer}/`,
        MSX_CLIENT_ID: CLIENT_ID,
        MSX_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("RFC 8414 §3.3");
    expect(result.stderr).toContain("set MSX_ISSUER to exactly its value");
    expect(result.stderr).not.toContain(CLIENT_SECRET);
    expect(server.seen).not.toContain("POST /token");
  });
});

/** A node:http RFC 8628 server: metadata, a device code with a 1 s interval, one pending poll. */
async function deviceServer() {
  let polls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.url === "/.well-known/oauth-authorization-server") {
        return json(200, {
          issuer: origin,
          token_endpoint: `${origin}/token`,
          device_authorization_endpoint: `${origin}/device`,
        });
      }
      if (req.url === "/device") {
        return json(200, {
          device_code: "device-code-secret",
          user_code: "BCDF-GHJK",
          verification_uri: `${origin}/activate`,
          verification_uri_complete: `${origin}/activate?user_code=BCDF-GHJK`,
          expires_in: 120,
          interval: 1,
        });
      }
      polls++;
      if (polls < 2) return json(400, { error: "authorization_pending" });
      json(200, { access_token: "device-access-token", token_type: "Bearer", expires_in: 600 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin, polls: () => polls };
}

describe("passgrant token --grant device-code (built CLI)", () => {
  it("prints where to sign in on stderr, waits for the approval, prints only the token on stdout", async () => {
    const server = await deviceServer();
    const result = await runCli(["token", "--grant", "device-code"], {
      env: { MSX_ISSUER: server.origin, MSX_CLIENT_ID: CLIENT_ID, MSX_CLIENT_AUTH: "none" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("device-access-token\n");
    expect(result.stderr).toContain(
      `To sign in, open ${server.origin}/activate?user_code=BCDF-GHJK\nand check that it shows the code BCDF-GHJK.\n`,
    );
    expect(result.stderr).toContain("Ctrl-C cancels");
    expect(result.stderr).not.toContain("device-code-secret");
    expect(server.polls()).toBe(2);
  });

  it("Ctrl-C while waiting exits 130 without a token", async () => {
    const server = await deviceServer();
    const cli = startCli(["token", "--grant", "device_code"], {
      env: { MSX_ISSUER: server.origin, MSX_CLIENT_ID: CLIENT_ID, MSX_CLIENT_AUTH: "none" },
    });
    // Bounded wait for the prompt (the process answers within a few hundred ms).
    for (let i = 0; i < 400 && !cli.stderr().includes("Ctrl-C cancels"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(cli.stderr()).toContain("BCDF-GHJK");
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe("");
    expect(server.polls()).toBe(0);
  });
});

describe("passgrant token --introspect and passgrant logout (built CLI, oidc-provider)", () => {
  it("--introspect prints the server's RFC 7662 answer about the token as JSON", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const result = await runCli(["token", "--grant", "client-credentials", "--introspect"], {
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: CLIENT_ID,
        MSX_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ active: true, client_id: CLIENT_ID });
    expect(server.seen).toContain("POST /token/introspection");
  });

  it("logout revokes the cached token at the server and removes it from the cache", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const cacheFile = join(tempDir(), "tokens.json");
    const env = {
      MSX_ISSUER: server.issuer,
      MSX_CLIENT_ID: CLIENT_ID,
      MSX_CLIENT_SECRET: CLIENT_SECRET,
    };
    const token = ["token", "--grant", "client-credentials", "--cache", "--cache-file", cacheFile];
    const first = await runCli(token, { env });
    expect(first.code).toBe(0);
    const accessToken = first.stdout.trim();
    expect((await runCli(token, { env })).stdout.trim()).toBe(accessToken); // cached

    const logout = await runCli(
      ["logout", "--grant", "client-credentials", "--cache-file", cacheFile],
      { env },
    );
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe("");
    expect(logout.stderr).toBe("Signed out: the cached tokens were revoked and removed.\n");
    expect(server.seen.filter((line) => line === "POST /token/revocation")).toHaveLength(1);

    const library = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    });
    expect(await library.introspect(accessToken)).toEqual({ active: false });
    const after = await runCli(token, { env });
    expect(after.stdout.trim()).not.toBe(accessToken);

    const again = await runCli(
      ["logout", "--grant", "client-credentials", "--cache-file", cacheFile],
      { env },
    );
    expect(again.code).toBe(0);
  });

  it("logout without MSX_ISSUER says what to set, and keeps the cached token", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(
            JSON.stringify({ access_token: "kept-token", token_type: "Bearer", expires_in: 600 }),
          ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const env = {
      MSX_TOKEN_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
      MSX_CLIENT_ID: CLIENT_ID,
      MSX_CLIENT_SECRET: CLIENT_SECRET,
    };
    const cacheFile = join(tempDir(), "tokens.json");
    const token = ["token", "--grant", "client-credentials", "--cache", "--cache-file", cacheFile];
    expect((await runCli(token, { env })).stdout).toBe("kept-token\n");
    const result = await runCli(
      ["logout", "--grant", "client-credentials", "--cache-file", cacheFile],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MSX_ISSUER");
    expect(result.stderr).not.toContain("kept-token");
    expect(readFileSync(cacheFile, "utf8")).toContain("kept-token");
  });
});
