import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/cli/logger.js";
import { terminalSafe, terminalSafeJson } from "../../src/cli/terminal-text.js";
import { type HostileApi, hostileEnv, sendJson, startHostileApi, tenant } from "./hostile-api.js";
import { runCli } from "./run-cli.js";

/** Anything a terminal could interpret: C0 (but the line breaks we print), DEL, C1, bidi. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INTERPRETED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const ID = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03";
const RETITLE = "evil\u001b]0;pwned\u0007";
const FORGED = "innocent\n00000000-0000-0000-0000-000000000000: forged";
const BIDI = "gnp.\u202eexe";
const hostileTenants = [tenant(ID, RETITLE), tenant(`${ID}\r`, FORGED), tenant("b", BIDI)];

let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A platform whose tenant names and error messages carry terminal control sequences. */
async function hostilePlatform(): Promise<HostileApi> {
  return startHostileApi((request, response) => {
    const path = request.url.pathname;
    if (request.method === "GET" && path === "/idm/api/v8/tenants") {
      sendJson(response, 200, {
        page: 0,
        pageSize: 100,
        totalItems: hostileTenants.length,
        hasNext: false,
        hasPrevious: false,
        contents: hostileTenants,
      });
    } else if (request.method === "GET" && path === `/idm/api/v8/tenants/${ID}`) {
      sendJson(response, 200, hostileTenants[0]);
    } else if (request.method === "POST") {
      sendJson(response, 201, tenant("new\u001b[31m", RETITLE));
    } else if (request.method === "DELETE") {
      response.writeHead(204).end();
    } else {
      sendJson(response, 500, {
        code: "IDM\u001b[2J",
        message: "boom\u001b]0;pwned\u0007\n00000000-0000-0000-0000-000000000000: forged",
      });
    }
  });
}

function expectInert(output: string): void {
  expect(output).not.toMatch(INTERPRETED);
  expect(output).not.toMatch(/^00000000-0000-0000-0000-000000000000: forged$/m);
}

describe("terminalSafe", () => {
  it("escapes controls and bidi overrides visibly, one line unless told", () => {
    expect(terminalSafe(RETITLE)).toBe("evil\\x1b]0;pwned\\x07");
    expect(terminalSafe(BIDI)).toBe("gnp.\\u202eexe");
    expect(terminalSafe("a\r\nb\u009bc\u007f")).toBe("a\\x0d\\x0ab\\x9bc\\x7f");
    expect(terminalSafe("a\nb\u001b", { keepNewlines: true })).toBe("a\nb\\x1b");
    expect(terminalSafe("plain tenant — ünïcödé")).toBe("plain tenant — ünïcödé");
  });

  it("keeps JSON the same data while escaping what JSON.stringify leaves raw", () => {
    const value = { name: `${RETITLE}\u0085${BIDI}\u2028` };
    const text = terminalSafeJson(value);
    expect(text).not.toMatch(INTERPRETED);
    expect(text).not.toContain("\u2028");
    expect(JSON.parse(text)).toEqual(value);
  });

  it("stays valid JSON when indented for a terminal (the indentation's line feeds are kept)", () => {
    const value = { name: `${RETITLE}\n${BIDI}`, list: [1, { a: "\u2028" }] };
    const text = terminalSafeJson(value, 2);
    expect(text).not.toMatch(INTERPRETED);
    expect(text.split("\n")).toHaveLength(JSON.stringify(value, null, 2).split("\n").length);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("is applied to every logger line", () => {
    let written = "";
    const log = createLogger(
      {
        stderr: {
          write: (chunk: string) => {
            written += chunk;
            return true;
          },
        } as never,
      },
      true,
    );
    log.warn(`token_type ${RETITLE}`);
    log.debug(`server said ${BIDI}`);
    expect(written).toBe(
      "passgrant: warning: token_type evil\\x1b]0;pwned\\x07\npassgrant: server said gnp.\\u202eexe\n",
    );
  });
});

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("server text on the terminal", { timeout: 60_000 }, () => {
  it("tenants list: one escaped line per tenant, no forged line", async () => {
    api = await hostilePlatform();
    const result = await runCli(["tenants", "list"], { env: hostileEnv(api) });
    expect(result.code, result.stderr).toBe(0);
    expectInert(result.stdout + result.stderr);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      `${ID}: evil\\x1b]0;pwned\\x07`,
      `${ID}\\x0d: innocent\\x0a00000000-0000-0000-0000-000000000000: forged`,
      "b: gnp.\\u202eexe",
    ]);
  });

  it("tenants list --json and --all --json: the same data, nothing a terminal interprets", async () => {
    api = await hostilePlatform();
    for (const args of [
      ["tenants", "list", "--json"],
      ["tenants", "list", "--all", "--json"],
    ]) {
      const result = await runCli(args, { env: hostileEnv(api) });
      expect(result.code, result.stderr).toBe(0);
      expectInert(result.stdout);
      const parsed = JSON.parse(result.stdout);
      const names = (Array.isArray(parsed) ? parsed : parsed.contents).map(
        (t: { name: string }) => t.name,
      );
      expect(names).toEqual([RETITLE, FORGED, BIDI]);
    }
  });

  it("tenants get and create, and the demo's lines", async () => {
    api = await hostilePlatform();
    for (const args of [["tenants", "get", ID], ["tenants", "create", "--name", "x"], ["demo"]]) {
      const result = await runCli(args, { env: hostileEnv(api) });
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
      expectInert(result.stdout + result.stderr);
      expect(result.stdout).toContain("\\x1b");
    }
  });

  it("an error message with ESC and a newline stays one inert line on stderr", async () => {
    api = await hostilePlatform();
    const result = await runCli(["tenants", "get", "other", "--verbose"], {
      env: hostileEnv(api),
    });
    expect(result.code).toBe(4);
    expectInert(result.stdout + result.stderr);
    expect(result.stderr).toContain("boom\\x1b]0;pwned\\x07");
  });
});
