import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GRANT_SWITCH_TENANT, GRANT_SWITCH_USER } from "../../src/auth/grants.js";
import { OAuthError } from "../../src/auth/oauth-error.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import type { TokenSet, TokenStore } from "../../src/auth/types.js";
import { ConfigError } from "../../src/errors.js";
import { InsecureTransportError } from "../../src/transport/errors.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  fakeClock,
  mockTokenEndpoint,
  PASSWORD,
  passwordProvider,
  setUpNock,
  TOKEN_URL,
  tearDownNock,
  tokenBody,
  USERNAME,
} from "./helpers.js";

beforeEach(setUpNock);
afterEach(tearDownNock);

describe("caching and single flight", () => {
  it("makes one grant for N sequential calls", async () => {
    const seen = mockTokenEndpoint();
    const { provider, events } = passwordProvider();
    for (let i = 0; i < 10; i++) {
      expect(await provider.getAccessToken()).toBe("access-token-1");
    }
    expect(seen).toHaveLength(1);
    expect(events.filter((e) => e.type === "grant")).toHaveLength(1);
    expect(events.filter((e) => e.type === "cache-hit")).toHaveLength(9);
  });

  it("makes one grant for 100 concurrent calls on a cold start", async () => {
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 100);
    const { provider } = passwordProvider();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(["access-token-1"]));
    expect(seen).toHaveLength(1);
    // Leave the unused interceptors out of the pending check: they prove no second call came.
    const { default: nock } = await import("nock");
    nock.cleanAll();
  });

  it("lets a failed grant be retried by the next call (the failure is not cached)", async () => {
    mockTokenEndpoint(() => [503, "maintenance"]);
    const { provider } = passwordProvider();
    await expect(provider.getToken()).rejects.toMatchObject({ code: "ERR_HTTP", status: 503 });
    mockTokenEndpoint();
    expect(await provider.getAccessToken()).toBe("access-token-1");
  });
});

describe("renewal", () => {
  it("renews proactively within renewSkewMs of expiry, by refresh_token (RFC 6749 §6)", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { provider, events } = passwordProvider({ clock: clock.now, renewSkewMs: 60_000 });
    expect(await provider.getAccessToken()).toBe("access-token-1");

    clock.advance(3600_000 - 60_001); // just before the skew window
    expect(await provider.getAccessToken()).toBe("access-token-1");
    clock.advance(2);
    expect(await provider.getAccessToken()).toBe("access-token-2");

    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe("grant_type=refresh_token&refresh_token=refresh-token-1");
    expect(seen[1]?.headers.authorization).toMatch(/^Basic /);
    expect(
      events.filter((e) => e.type === "grant").map((e) => "grantType" in e && e.grantType),
    ).toEqual(["password", "refresh_token"]);
  });

  it("keeps the old refresh token when the refresh response omits one", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint(
      (_s, i) => [200, i === 0 ? tokenBody(1) : { ...tokenBody(i + 1), refresh_token: undefined }],
      3,
    );
    const { provider } = passwordProvider({ clock: clock.now });
    await provider.getToken();
    clock.advance(3600_000);
    const second = await provider.getToken();
    expect(second.accessToken).toBe("access-token-2");
    expect(second.refreshToken).toBe("refresh-token-1");
    clock.advance(3600_000);
    await provider.getToken();
    expect(seen[2]?.body).toBe("grant_type=refresh_token&refresh_token=refresh-token-1");
  });

  it("falls back to the password grant when the refresh is refused (invalid_grant)", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint(
      (request, i) =>
        request.form.get("grant_type") === "refresh_token"
          ? [400, { error: "invalid_grant", error_description: "Invalid refresh token" }]
          : [200, tokenBody(i + 1)],
      3,
    );
    const { provider, events } = passwordProvider({ clock: clock.now });
    await provider.getToken();
    clock.advance(3600_000);
    expect(await provider.getAccessToken()).toBe("access-token-3");
    expect(seen.map((r) => r.form.get("grant_type"))).toEqual([
      "password",
      "refresh_token",
      "password",
    ]);
    expect(seen[2]?.body).toBe(
      new URLSearchParams({
        grant_type: "password",
        username: USERNAME,
        password: PASSWORD,
      }).toString(),
    );
    const failed = events.find((e) => e.type === "refresh-failed");
    expect(failed).toMatchObject({
      type: "refresh-failed",
      error: { code: "ERR_OAUTH", error: "invalid_grant" },
    });
  });

  it("does not fall back when the refresh fails with invalid_client", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint(
      (request, i) =>
        request.form.get("grant_type") === "refresh_token"
          ? [401, { error: "invalid_client" }]
          : [200, tokenBody(i + 1)],
      2,
    );
    const { provider } = passwordProvider({ clock: clock.now });
    await provider.getToken();
    clock.advance(3600_000);
    await expect(provider.getToken()).rejects.toMatchObject({ error: "invalid_client" });
    expect(seen).toHaveLength(2);
  });

  it("caps the skew at half the token's lifetime, so short-lived tokens are still reused", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1, { expires_in: 30 })], 2);
    const { provider } = passwordProvider({ clock: clock.now, renewSkewMs: 60_000 });
    await provider.getToken();
    clock.advance(14_000);
    await provider.getToken();
    expect(seen).toHaveLength(1);
    clock.advance(1_000);
    await provider.getToken();
    expect(seen).toHaveLength(2);
  });

  it("invalidate() forgets the access token but renews with the refresh token", async () => {
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { provider } = passwordProvider();
    await provider.getToken();
    provider.invalidate();
    expect(await provider.getAccessToken()).toBe("access-token-2");
    expect(seen[1]?.form.get("grant_type")).toBe("refresh_token");
  });

  it("invalidate(token) ignores a token that is no longer current", async () => {
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { provider } = passwordProvider();
    await provider.getToken();
    provider.invalidate("access-token-1");
    await provider.getToken();
    provider.invalidate("access-token-1"); // a late 401 for the old token
    expect(await provider.getAccessToken()).toBe("access-token-2");
    expect(seen).toHaveLength(2);
  });
});

describe("token store", () => {
  function memoryStore(initial?: TokenSet) {
    const data = new Map<string, TokenSet>();
    const log: string[] = [];
    let locked = false;
    if (initial) data.set("key", initial);
    const store: Required<TokenStore> = {
      async load(key) {
        log.push(`load:${locked ? "locked" : "unlocked"}`);
        return data.get(key);
      },
      async save(key, token) {
        log.push(`save:${locked ? "locked" : "unlocked"}`);
        data.set(key, token);
      },
      async clear(key) {
        data.delete(key);
      },
      async withLock(_key, fn) {
        locked = true;
        try {
          return await fn();
        } finally {
          locked = false;
        }
      },
    };
    return { store, data, log };
  }

  it("uses a fresh token from the store without a grant", async () => {
    const clock = fakeClock();
    const { store } = memoryStore({
      accessToken: "stored-access",
      tokenType: "Bearer",
      expiresAt: clock.now() + 3600_000,
      raw: {},
    });
    const { provider, events } = passwordProvider({ clock: clock.now, store, storeKey: "key" });
    expect(await provider.getAccessToken()).toBe("stored-access");
    expect(events.some((e) => e.type === "grant")).toBe(false);
  });

  it("grants and saves inside the lock, reloading first", async () => {
    const seen = mockTokenEndpoint();
    const { store, data, log } = memoryStore();
    const { provider } = passwordProvider({ store, storeKey: "key" });
    await provider.getToken();
    expect(seen).toHaveLength(1);
    // Looked at once without the lock (nothing usable), then again in it before granting.
    expect(log).toEqual(["load:unlocked", "load:locked", "save:locked"]);
    expect(data.get("key")?.accessToken).toBe("access-token-1");
  });

  it("takes a valid stored token without the lock (the lock is for renewing)", async () => {
    const clock = fakeClock();
    const stored: TokenSet = {
      accessToken: "stored-token",
      tokenType: "Bearer",
      expiresAt: clock.now() + 3600_000,
      raw: {},
    };
    const { store, log } = memoryStore(stored);
    const { provider, events } = passwordProvider({ clock: clock.now, store, storeKey: "key" });
    expect(await provider.getAccessToken()).toBe("stored-token");
    expect(log).toEqual(["load:unlocked"]);
    expect(events.map((e) => e.type)).toEqual(["cache-hit"]);
  });

  it("adopts a token another process saved while it waited for the lock", async () => {
    const clock = fakeClock();
    const { store, data } = memoryStore();
    const original = store.withLock;
    store.withLock = async (key, fn) => {
      // Another process renewed while we waited.
      data.set(key, {
        accessToken: "from-other-process",
        tokenType: "Bearer",
        expiresAt: clock.now() + 3600_000,
        raw: {},
      });
      return original(key, fn);
    };
    const { provider, events } = passwordProvider({ clock: clock.now, store, storeKey: "key" });
    expect(await provider.getAccessToken()).toBe("from-other-process");
    expect(events.some((e) => e.type === "grant")).toBe(false);
  });

  it("refreshes with the stored refresh token when the stored access token expired", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint();
    const { store } = memoryStore({
      accessToken: "old",
      tokenType: "Bearer",
      expiresAt: clock.now() - 1,
      refreshToken: "stored-refresh",
      raw: {},
    });
    const { provider } = passwordProvider({ clock: clock.now, store, storeKey: "key" });
    await provider.getToken();
    expect(seen[0]?.body).toBe("grant_type=refresh_token&refresh_token=stored-refresh");
  });

  it("does not hand out a stored token that the API rejected", async () => {
    const clock = fakeClock();
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { store } = memoryStore();
    const failingSave = { ...store, save: async () => undefined }; // the store keeps the old token
    const { provider } = passwordProvider({
      clock: clock.now,
      store: { ...failingSave },
      storeKey: "key",
    });
    await store.save("key", {
      accessToken: "rejected",
      tokenType: "Bearer",
      expiresAt: clock.now() + 3600_000,
      refreshToken: "r",
      raw: {},
    });
    expect(await provider.getAccessToken()).toBe("rejected");
    provider.invalidate();
    expect(await provider.getAccessToken()).toBe("access-token-1");
    expect(seen[0]?.form.get("grant_type")).toBe("refresh_token");
    const { default: nock } = await import("nock");
    nock.cleanAll();
  });

  it("reports a failing store as a warning and keeps working", async () => {
    mockTokenEndpoint();
    const store: TokenStore = {
      load: async () => {
        throw Object.assign(new Error("disk"), { code: "EACCES" });
      },
      save: async () => {
        throw Object.assign(new Error("disk"), { code: "ENOSPC" });
      },
      clear: async () => undefined,
    };
    const { provider, events } = passwordProvider({ store });
    expect(await provider.getAccessToken()).toBe("access-token-1");
    expect(events.filter((e) => e.type === "warning").map((e) => "code" in e && e.code)).toEqual([
      "store_load_failed",
      "store_save_failed",
    ]);
  });
});

describe("switch tenant and switch user", () => {
  it("switchTenant returns a provider for the new tenant, via the platform's extension grant", async () => {
    const seen = mockTokenEndpoint(
      (_s, i) => [200, tokenBody(i + 1, { tenantId: `tenant-${i}` })],
      2,
    );
    const { provider } = passwordProvider();
    const tenant = await provider.switchTenant({
      tenantId: "1817ec68-e182-4865-8d83-fc13035b4811",
    });
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(
      new URLSearchParams({
        grant_type: GRANT_SWITCH_TENANT,
        access_token: "access-token-1",
        tenant_id: "1817ec68-e182-4865-8d83-fc13035b4811",
      }).toString(),
    );
    expect(await tenant.getAccessToken()).toBe("access-token-2");
    expect((await tenant.getToken()).raw.tenantId).toBe("tenant-1");
    expect(await provider.getAccessToken()).toBe("access-token-1");
  });

  it("switchTenant by name sends tenant_name", async () => {
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { provider } = passwordProvider();
    await provider.switchTenant({ tenantName: "Dandelion and Burdock" });
    expect(seen[1]?.form.get("tenant_name")).toBe("Dandelion and Burdock");
    expect(seen[1]?.form.has("tenant_id")).toBe(false);
  });

  it("switchUser sends switch_username with the current access token", async () => {
    const seen = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const { provider } = passwordProvider();
    const other = await provider.switchUser("operator");
    expect(seen[1]?.body).toBe(
      `grant_type=${encodeURIComponent(GRANT_SWITCH_USER)}&access_token=access-token-1&switch_username=operator`,
    );
    expect(await other.getAccessToken()).toBe("access-token-2");
  });

  it("a refused switch fails at the switch, with the grant named in the hint", async () => {
    mockTokenEndpoint(
      (_s, i) => (i === 0 ? [200, tokenBody(1)] : [400, { error: "invalid_grant" }]),
      2,
    );
    const { provider } = passwordProvider();
    await expect(provider.switchUser("nobody")).rejects.toThrow(GRANT_SWITCH_USER);
  });
});

describe("options", () => {
  it("reports every missing option at once, as a ConfigError", () => {
    let error: unknown;
    try {
      createTokenProvider({
        tokenUrl: "not a url",
        clientId: "",
        grant: { type: "client_credentials" },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/tokenUrl.*\n.*clientId.*\n.*clientSecret/s);
  });

  it("rejects a password grant without a password, without echoing anything secret", () => {
    expect(() =>
      createTokenProvider({
        tokenUrl: TOKEN_URL,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grant: { type: "password", username: USERNAME, password: "" },
      }),
    ).toThrow(/needs a password/);
  });

  it("refuses a plain http:// token URL that is not loopback unless allowed", () => {
    const options = {
      tokenUrl: "http://msx.example.com/idm/v2/token",
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    };
    expect(() => createTokenProvider(options)).toThrow(InsecureTransportError);
    expect(() => createTokenProvider({ ...options, allowInsecureHttp: true })).not.toThrow();
    expect(() =>
      createTokenProvider({ ...options, tokenUrl: "http://127.0.0.1:8080/idm/v2/token" }),
    ).not.toThrow();
  });

  it("rejects an unknown clientAuth", () => {
    expect(() => passwordProvider({ clientAuth: "digest" as never })).toThrow(
      /clientAuth must be one of "basic", "basic-raw", "post", "none"/,
    );
  });

  it("client_credentials grant sends only grant_type (RFC 6749 §4.4.2)", async () => {
    const seen = mockTokenEndpoint();
    const provider = createTokenProvider({
      tokenUrl: TOKEN_URL,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
      fetch: (r) => globalThis.fetch(r),
    });
    await provider.getToken();
    expect(seen[0]?.body).toBe("grant_type=client_credentials");
  });

  it("surfaces an OAuthError for a wrong password with a useful hint", async () => {
    mockTokenEndpoint(() => [
      400,
      { error: "invalid_grant", error_description: "Bad credentials" },
    ]);
    const { provider } = passwordProvider();
    const error = (await provider.getToken().catch((e: unknown) => e)) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.errorDescription).toBe("Bad credentials");
    expect(error.message).toMatch(/Check the grant's `username` and `password`/);
  });
});
