import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startCli } from "../cli/run-cli.js";
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
