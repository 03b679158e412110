import { describe, expect, it } from "vitest";
import {
  errorFixture,
  fixtureId,
  oauthErrorFixture,
  tenantFixture,
  tenantsPageFixture,
  tokenResponseFixture,
} from "../../src/testing/index.js";
import { sharedBackend } from "../../src/testing/spec-check.js";

/** The spec's verdict on `body` as operation `operationId`'s reply with `status`. */
async function specErrors(body: unknown, operationId: string, status: number) {
  const backend = await sharedBackend();
  return backend.validateResponse(body, operationId, status).errors ?? [];
}

describe("fixtures are valid against openapi/msx.yaml", () => {
  it("tenantFixture is a Tenant", async () => {
    expect(await specErrors(tenantFixture(), "getTenant", 200)).toEqual([]);
    expect(
      await specErrors(tenantFixture({ name: "Coke", externalId: "crm-1" }), "getTenant", 200),
    ).toEqual([]);
  });

  it("tenantsPageFixture is a TenantsPage", async () => {
    expect(await specErrors(tenantsPageFixture(), "getTenantsPage", 200)).toEqual([]);
    expect(await specErrors(tenantsPageFixture([]), "getTenantsPage", 200)).toEqual([]);
  });

  it("tokenResponseFixture is an AccessToken", async () => {
    expect(await specErrors(tokenResponseFixture(), "getAccessToken", 200)).toEqual([]);
  });

  it("oauthErrorFixture is an OAuthError and errorFixture an Error", async () => {
    expect(
      await specErrors(
        oauthErrorFixture("invalid_grant", "Bad credentials"),
        "getAccessToken",
        400,
      ),
    ).toEqual([]);
    for (const status of [400, 401, 403, 404, 500]) {
      expect(await specErrors(errorFixture(status), "getTenant", status)).toEqual([]);
    }
    expect(await specErrors(errorFixture(409), "deleteTenant", 409)).toEqual([]);
  });

  it("the check above can fail: an invalid override is caught", async () => {
    const invalid = tenantFixture({ id: "not-a-uuid", name: "" });
    const errors = await specErrors(invalid, "getTenant", 200);
    expect(errors.map((e) => e.message)).toContain('must match format "uuid"');
  });
});

describe("fixture contents", () => {
  it("overrides win over defaults", () => {
    const tenant = tenantFixture({ name: "Sprite", description: "lemon" });
    expect(tenant).toMatchObject({ name: "Sprite", description: "lemon" });
    expect(tokenResponseFixture({ expires_in: 60, token_type: "Bearer" })).toMatchObject({
      expires_in: 60,
      token_type: "Bearer",
    });
    expect(errorFixture(404, { message: "gone" })).toEqual({ code: "NOT_FOUND", message: "gone" });
    expect(oauthErrorFixture("invalid_client")).toEqual({ error: "invalid_client" });
  });

  it("gives every tenant and token a fresh value", () => {
    const ids = new Set([fixtureId(), tenantFixture().id, tenantFixture().id]);
    expect(ids.size).toBe(3);
    const [a, b] = [tokenResponseFixture(), tokenResponseFixture()];
    expect(a.access_token).not.toBe(b.access_token);
    expect(a.refresh_token).not.toBe(a.access_token);
  });

  it("derives the paging fields of a page from its position", () => {
    const tenants = [tenantFixture(), tenantFixture()];
    expect(tenantsPageFixture(tenants, { page: 1, pageSize: 2, totalItems: 5 })).toMatchObject({
      page: 1,
      pageSize: 2,
      totalItems: 5,
      hasNext: true,
      hasPrevious: true,
      contents: tenants,
    });
    expect(tenantsPageFixture(tenants)).toMatchObject({
      totalItems: 2,
      hasNext: false,
      hasPrevious: false,
    });
  });
});
