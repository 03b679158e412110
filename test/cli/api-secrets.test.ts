import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ApiRequest,
  type HostileApi,
  hostileBasic,
  hostileCredentials,
  hostileEnv,
  startHostileApi,
} from "./hostile-api.js";
import { runCli } from "./run-cli.js";

/**
 * A platform that echoes the credentials it was sent in its error bodies, as some do
 * (`Invalid access token: <token>`). The tokens are random hex: no JWT shape, no `Bearer`
 * prefix in the body, so only masking by known value can catch them. None of them, nor the
 * password, client secret or Basic value, may reach the terminal.
 */
let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function echoing(status: number) {
  return (request: ApiRequest, response: ServerResponse) => {
    const token = request.authorization.replace(/^Bearer /, "");
    response.writeHead(status, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        code: "IDM0001",
        message: `Invalid access token: ${token} (refresh token ${request.refreshToken}, basic ${hostileBasic}, password ${hostileCredentials.password}, secret ${hostileCredentials.clientSecret})`,
      }),
    );
  };
}

function expectNoSecrets(output: string, issued: readonly string[]): void {
  expect(issued.length).toBeGreaterThan(0);
  for (const secret of [
    ...issued,
    hostileBasic,
    hostileCredentials.password,
    hostileCredentials.clientSecret,
  ]) {
    expect(output).not.toContain(secret);
  }
}

const commands: ReadonlyArray<readonly string[]> = [
  ["tenants", "list"],
  ["tenants", "get", "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03"],
  ["demo"],
];

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("secrets echoed by an API server", { timeout: 60_000 }, () => {
  for (const status of [401, 403, 500]) {
    for (const command of commands) {
      for (const verbose of [false, true]) {
        const args = verbose ? [...command, "--verbose"] : [...command];
        it(`are masked: ${args.join(" ")} answered ${status}`, async () => {
          api = await startHostileApi(echoing(status));
          const result = await runCli(args, { env: hostileEnv(api) });
          expect(result.code, result.stderr).toBe(4);
          // The platform's message is shown, with the secrets masked.
          expect(result.stderr).toContain("Invalid access token: [REDACTED]");
          expectNoSecrets(result.stdout + result.stderr, api.issued);
        });
      }
    }
  }

  it("are masked in demo --json's result object too", async () => {
    api = await startHostileApi(echoing(500));
    const result = await runCli(["demo", "--json"], { env: hostileEnv(api) });
    expect(result.code, result.stderr).toBe(4);
    expect(JSON.parse(result.stdout).error.message).toContain("Invalid access token: [REDACTED]");
    expectNoSecrets(result.stdout + result.stderr, api.issued);
  });
});
