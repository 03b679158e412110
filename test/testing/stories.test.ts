import nock from "nock";
import { describe, expect, it } from "vitest";
import { createMsxClient } from "../../src/client/msx.js";
import {
  ContractViolationError,
  expiredTokenThenRenewal,
  invalidGrantOnRefresh,
  mockMsx,
  rateLimited,
  serverError,
  slowResponse,
} from "../../src/testing/index.js";
import { useNockHygiene } from "./nock-hygiene.js";

useNockHygiene();

const BASE = "https://msx.example.test";
const BASIC = `Basic ${Buffer.from("my-client:my-secret").toString("base64")}`;
const TENANT_ID = "07430f51-65f7-46f0-8306-0cce8cae147c";

/** A typed client that sends a fixed bearer token (the auth layer's job, done by hand here). */
function clientWith(token: string) {
  return createMsxClient({ baseUrl: BASE, headers: { Authorization: `Bearer ${token}` } });
}

async function grant(form: Record<string, string>) {
  const response = await fetch(`${BASE}/idm/v2/token`, {
    method: "POST",
    headers: { Authorization: BASIC, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe("expiredTokenThenRenewal", () => {
  it("passes a client that renews the token and retries with the new one", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    const { renewedToken } = expiredTokenThenRenewal(msx, "getTenantsPage", {
      renewWith: "refresh_token",
    });
    const first = await grant({ grant_type: "password", username: "u", password: "p" });
    const query = { params: { query: { page: 0, pageSize: 100 } } };

    const rejected = await clientWith(first.body.access_token ?? "").GET(
      "/idm/api/v8/tenants",
      query,
    );
    expect(rejected.response.status).toBe(401);
    expect(rejected.response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');

    const renewed = await grant({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token ?? "",
    });
    expect(renewed.body.access_token).toBe(renewedToken);
    const retried = await clientWith(renewedToken).GET("/idm/api/v8/tenants", query);
    expect(retried.response.status).toBe(200);
    msx.verify();
  });

  it("fails a client that retries with the stale token", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    expiredTokenThenRenewal(msx, "getTenant");
    const first = await grant({ grant_type: "password", username: "u", password: "p" });
    const stale = clientWith(first.body.access_token ?? "");
    const call = () =>
      stale.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: TENANT_ID } } });
    expect((await call()).response.status).toBe(401);
    await grant({ grant_type: "password", username: "u", password: "p" });
    expect((await call()).response.status).toBe(400);
    expect(() => msx.verify()).toThrow(/getTenant .*the Bearer token is not the expected one/);
  });

  it("fails a client that gives up after the 401", async () => {
    const msx = mockMsx(BASE);
    expiredTokenThenRenewal(msx, "deleteTenant");
    const { response } = await clientWith("t").DELETE("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(response.status).toBe(401);
    expect(() => msx.verify()).toThrow(/getAccessToken .*expected 1 more call/);
    nock.cleanAll();
  });
});

describe("rateLimited", () => {
  it("answers 429 with Retry-After, then the success a retrying client waits for", async () => {
    const msx = mockMsx(BASE);
    rateLimited(msx, "getTenantsList", { retryAfterSeconds: 2 });
    const client = clientWith("t");
    const call = () =>
      client.GET("/idm/api/v8/tenants/list", { params: { query: { ids: [TENANT_ID] } } });
    const limited = await call();
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get("retry-after")).toBe("2");
    expect(limited.error).toEqual({ code: "TOO_MANY_REQUESTS", message: "Rate limit exceeded" });
    const retried = await call();
    expect(retried.data?.[0]?.id).toBe(TENANT_ID);
    msx.verify();
  });

  it("with retry: false, a retry is reported as unexpected", async () => {
    const msx = mockMsx(BASE);
    rateLimited(msx, "getTenant", { retry: false });
    const client = clientWith("t");
    const call = () =>
      client.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: TENANT_ID } } });
    expect((await call()).response.status).toBe(429);
    msx.verify();
    expect((await call()).response.status).toBe(400);
    expect(() => msx.verify()).toThrow(/every expectation for this operation was already used/);
  });
});

describe("serverError", () => {
  it("answers the 5xx `times` times, then succeeds", async () => {
    const msx = mockMsx(BASE);
    serverError(msx, "getTenantByExternalId", { status: 502, times: 2 });
    const client = clientWith("t");
    const call = () =>
      client.GET("/idm/api/v8/tenants/externalId/{externalId}", {
        params: { path: { externalId: "crm-1" } },
      });
    expect((await call()).response.status).toBe(502);
    expect((await call()).response.status).toBe(502);
    const ok = await call();
    expect(ok.data?.externalId).toBe("crm-1");
    msx.verify();
  });

  it("reports a client that never retries", async () => {
    const msx = mockMsx(BASE);
    serverError(msx, "updateTenant", { status: 500 });
    const { response } = await clientWith("t").PUT("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
      body: { name: "Renamed" },
    });
    expect(response.status).toBe(500);
    expect(() => msx.verify()).toThrow(/updateTenant .*expected 1 more call/);
    nock.cleanAll();
  });
});

describe("slowResponse", () => {
  it("holds the reply back, so a client's timeout fires", async () => {
    const msx = mockMsx(BASE);
    slowResponse(msx, "getTenant", 60_000);
    const pending = clientWith("t").GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
      signal: AbortSignal.timeout(20),
    });
    await expect(pending).rejects.toMatchObject({ name: "TimeoutError" });
    nock.abortPendingRequests();
    expect(msx.pending()).toEqual([]);
  });

  it("still answers when the client waits", async () => {
    const msx = mockMsx(BASE);
    slowResponse(msx, "getTenant", 5);
    const { data } = await clientWith("t").GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(data?.id).toBe(TENANT_ID);
    msx.verify();
  });
});

describe("invalidGrantOnRefresh", () => {
  it("rejects the refresh with invalid_grant and accepts the fallback password grant", async () => {
    const msx = mockMsx(BASE);
    const { fallback } = invalidGrantOnRefresh(msx);
    const refresh = await grant({ grant_type: "refresh_token", refresh_token: "old" });
    expect(refresh).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid refresh token" },
    });
    const password = await grant({ grant_type: "password", username: "u", password: "p" });
    expect(password.body.access_token).toBe(fallback?.access_token);
    msx.verify();
  });

  it("reports a client that does not fall back", async () => {
    const msx = mockMsx(BASE);
    invalidGrantOnRefresh(msx);
    await grant({ grant_type: "refresh_token", refresh_token: "old" });
    const error = (() => {
      try {
        msx.verify();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContractViolationError);
    expect((error as ContractViolationError).unmet).toEqual([
      "getAccessToken (POST /idm/v2/token) matching the given `match`: expected 1 more call(s), none came",
    ]);
    nock.cleanAll();
  });
});
