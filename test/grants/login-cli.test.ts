import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli, tempDir } from "../cli/run-cli.js";
import { browse, NATIVE_CLIENT_ID, startLoginServer, type UserChoice } from "./login-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A `$BROWSER` that only records the URL it is given, so the test can play the browser on it.
 * Run as `node script`: `$BROWSER`'s words are split on spaces, the URL appended.
 */
function recordingBrowser() {
  const dir = tempDir("passgrant-browser-");
  const log = join(dir, "opened.txt");
  const script = join(dir, "browser.mjs");
  writeFileSync(
    script,
    `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(log)}, process.argv[2] + "\\n");\n`,
  );
  return {
    command: `${process.execPath} ${script}`,
    opened: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
  };
}

/** Bounded wait (at most ~10 s) for `check` to return something. */
async function eventually<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = check();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function loginServer(choice?: () => UserChoice) {
  const server = await startLoginServer(choice ? { choice } : {});
  closers.push(server.close);
  const cacheFile = join(tempDir(), "tokens.json");
  const env = {
    MSX_ISSUER: server.issuer,
    MSX_CLIENT_ID: NATIVE_CLIENT_ID,
    MSX_CLIENT_AUTH: "none",
    MSX_SCOPE: "openid",
  };
  return { server, env, cacheFile };
}

/** The authorization URL the CLI printed on stderr. */
function printedUrl(cli: CliProcess): string | undefined {
  return /^(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(cli.stderr())?.[1];
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("passgrant login --web (built CLI, oidc-provider, the test plays the browser)", () => {
  it("opens $BROWSER on the authorization URL, signs in, caches; token --grant authorization-code --cache reuses it", async () => {
    const { server, env, cacheFile } = await loginServer();
    const browser = recordingBrowser();
    const cli = startCli(["login", "--web", "--cache-file", cacheFile], {
      env: { ...env, BROWSER: browser.command },
    });
    const url = await eventually(() => browser.opened()[0], "the browser to be started");
    const page = await browse(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain("You may close this window");
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Opening the browser to sign in. If it does not open, go to:");
    expect(result.stderr).toContain(url);
    expect(result.stderr).toMatch(
      /Signed in as alice\. The access token is valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(then renewed with the refresh token\); it is cached for `passgrant token --grant authorization-code --cache`\.\n/,
    );

    // The cached token is login's: no browser this time, and the server accepts it.
    const token = await runCli(
      ["token", "--grant", "authorization-code", "--cache", "--cache-file", cacheFile],
      { env: { ...env, BROWSER: browser.command } },
    );
    expect(token.code).toBe(0);
    expect(token.stderr).toBe("");
    const accessToken = token.stdout.trim();
    expect(result.stderr).not.toContain(accessToken);
    expect(browser.opened()).toHaveLength(1);
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await userinfo.json()).toEqual({ sub: "alice" });
    expect(readFileSync(cacheFile, "utf8")).toContain(accessToken);

    // logout finds the same identity: revoked at the server, gone from the cache.
    const logout = await runCli(
      ["logout", "--grant", "authorization-code", "--cache-file", cacheFile],
      { env },
    );
    expect(logout.stderr).toBe("Signed out: the cached tokens were revoked and removed.\n");
    expect(logout.code).toBe(0);
    expect(readFileSync(cacheFile, "utf8")).not.toContain(accessToken);
    expect(
      (await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } }))
        .status,
    ).toBe(401);
  });

  it("--no-browser prints the URL on stderr and starts nothing", async () => {
    const { env, cacheFile } = await loginServer();
    const browser = recordingBrowser();
    const cli = startCli(["login", "--web", "--no-browser", "--cache-file", cacheFile], {
      env: { ...env, BROWSER: browser.command },
    });
    const url = await eventually(() => printedUrl(cli), "the URL on stderr");
    expect(cli.stderr()).toContain("To sign in, open this URL in a browser on this machine:");
    expect((await browse(url)).status).toBe(200);
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(browser.opened()).toEqual([]);
  });

  it("a denied sign-in exits 3 with the server's error, and the cache stays empty", async () => {
    const { env, cacheFile } = await loginServer(() => "deny");
    const cli = startCli(["login", "--web", "--no-browser", "--cache-file", cacheFile], { env });
    const page = await browse(await eventually(() => printedUrl(cli), "the URL on stderr"));
    expect(page.status).toBe(400);
    const result = await cli.result;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "passgrant: The authorization server refused the sign-in: access_denied",
    );
    expect(result.stderr).not.toContain("Signed in");
    expect(existsSync(cacheFile) ? readFileSync(cacheFile, "utf8") : "").not.toContain(
      "accessToken",
    );
  });

  it("an answer with another state exits 3 (ERR_AUTHORIZATION) and sends no code", async () => {
    const { server, env, cacheFile } = await loginServer();
    const cli = startCli(["login", "--web", "--no-browser", "--cache-file", cacheFile], { env });
    const url = new URL(await eventually(() => printedUrl(cli), "the URL on stderr"));
    const forged = await fetch(
      `${url.searchParams.get("redirect_uri")}?code=forged&state=forged&iss=${encodeURIComponent(server.issuer)}`,
    );
    expect(forged.status).toBe(400);
    const result = await cli.result;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("is not the one passgrant sent");
    expect(server.seen.some((line) => line.startsWith("POST /token"))).toBe(false);
  });

  it("Ctrl-C while waiting exits 130 and frees the port; with no browser here it prints the URL", async () => {
    const { env, cacheFile } = await loginServer();
    // No $BROWSER and no DISPLAY: nothing to open.
    const cli = startCli(["login", "--web", "--cache-file", cacheFile], { env });
    const url = await eventually(() => printedUrl(cli), "the URL on stderr");
    expect(cli.stderr()).toContain("No browser to open here");
    const port = Number(new URL(new URL(url).searchParams.get("redirect_uri") ?? "").port);
    expect(await portIsFree(port)).toBe(false);
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe("");
    expect(await portIsFree(port)).toBe(true);
  });

  it("login without --web says what to use", async () => {
    const result = await runCli(["login"], {
      env: { MSX_ISSUER: "http://127.0.0.1:9", MSX_CLIENT_ID: "c", MSX_CLIENT_AUTH: "none" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("add --web");
  });
});
