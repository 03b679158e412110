import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { SANDBOX_DEFAULTS, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { TokenRegistry } from "../../src/sandbox/tokens.js";

const started: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});
async function start(options?: Parameters<typeof startSandbox>[0]) {
  const sandbox = await startSandbox(options);
  started.push(sandbox);
  return sandbox;
}

describe("startSandbox options", () => {
  it("uses the documented default credentials on a free loopback port, seeded", async () => {
    const sandbox = await start();
    expect(sandbox).toMatchObject({
      clientId: SANDBOX_DEFAULTS.clientId,
      clientSecret: SANDBOX_DEFAULTS.clientSecret,
      username: SANDBOX_DEFAULTS.username,
      password: SANDBOX_DEFAULTS.password,
    });
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.tenants().map((tenant) => tenant.name)).toEqual([
      "Dandelion and Burdock",
      "Coke",
      "Pepsi",
      "Sprite",
    ]);
  });

  it("takes credentials from PASSGRANT_SANDBOX_* environment variables", async () => {
    const names = ["CLIENT_ID", "CLIENT_SECRET", "USERNAME", "PASSWORD"] as const;
    for (const name of names)
      process.env[`PASSGRANT_SANDBOX_${name}`] = `env-${name.toLowerCase()}`;
    try {
      const sandbox = await start({ seed: false });
      expect(sandbox).toMatchObject({
        clientId: "env-client_id",
        clientSecret: "env-client_secret",
        username: "env-username",
        password: "env-password",
      });
      expect(sandbox.tenants()).toEqual([]);
    } finally {
      for (const name of names) delete process.env[`PASSGRANT_SANDBOX_${name}`];
    }
  });

  it("throws a ConfigError listing every bad option", async () => {
    const error = await startSandbox({
      port: 70_000,
      clients: [],
      accessTokenTtlSeconds: -1,
    } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^sandbox option port: /),
      "sandbox option clients: must name at least one client",
      expect.stringMatching(/^sandbox option accessTokenTtlSeconds: /),
    ]);
  });

  it("throws a ConfigError when the port is taken", async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    await expect(startSandbox({ port })).rejects.toThrow(
      new ConfigError(
        `port ${port} on 127.0.0.1 is already in use: choose another port, or 0 for a free one`,
      ),
    );
  });
});

describe("TokenRegistry", () => {
  it("keeps memory bounded: at most maxLiveTokens per kind, expired ones pruned first", () => {
    let now = 0;
    const registry = new TokenRegistry({
      accessTokenTtlSeconds: 10,
      refreshTokenTtlSeconds: 20,
      clock: () => now,
      maxLiveTokens: 100,
    });
    const principal = { clientId: "c", roles: [], scope: "" };
    const first = registry.issue(principal, true);
    for (let i = 0; i < 1000; i++) registry.issue(principal, true);
    expect(registry.size()).toEqual({ accessTokens: 100, refreshTokens: 100 });
    expect(registry.checkAccessToken(first.accessToken)).toEqual({ ok: false, reason: "unknown" });
    now = 15_000; // access tokens expired, refresh tokens not
    registry.issue(principal, false);
    expect(registry.size()).toEqual({ accessTokens: 1, refreshTokens: 100 });
  });

  it("never derives tokens from anything: each one is fresh randomness", () => {
    const registry = new TokenRegistry({
      accessTokenTtlSeconds: 10,
      refreshTokenTtlSeconds: 20,
      clock: () => 0,
    });
    const principal = { clientId: "c", username: "u", roles: [], scope: "" };
    const tokens = new Set(
      Array.from({ length: 50 }, () => registry.issue(principal, true).accessToken),
    );
    expect(tokens.size).toBe(50);
  });
});
