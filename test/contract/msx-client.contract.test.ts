import { describe, expect, it } from "vitest";
import { bearerAuth } from "../../src/auth/bearer-middleware.js";
import { basicAuthorization } from "../../src/auth/client-auth.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { createMsxClient } from "../../src/client/msx.js";
import {
  errorFixture,
  type MsxMock,
  mockMsx,
  tenantFixture,
  tenantsPageFixture,
} from "../../src/testing/index.js";
import { contractTest, specOperationIds, uncoveredOperations } from "./contract-registry.js";
import { useMockHygiene } from "./mock-hygiene.js";

/**
 * passgrant's own contract suite: the typed client (and the auth layer in front of it) against
 * the nock kit, for every operation of openapi/msx.yaml. The kit checks each request against the
 * spec, so a client that drifts from the spec fails here.
 */

const BASE = "https://msx.contract.test";
const client = { clientId: "contract-client", clientSecret: "contract-secret" };
const user = { username: "superuser", password: "contract-password" };
const TENANT_ID = "07430f51-65f7-46f0-8306-0cce8cae147c";
const OTHER_ID = "1817ec68-e182-4865-8d83-fc13035b4811";

let msx: MsxMock;

useMockHygiene(() => msx);

/** The typed client as a script uses it: bearer tokens from a password-grant token provider. */
function authenticatedClient() {
  msx = mockMsx(BASE, { client }).getAccessToken({
    match: { body: { grant_type: "password", username: user.username } },
  });
  const provider = createTokenProvider({
    tokenUrl: `${BASE}/idm/v2/token`,
    ...client,
    grant: { type: "password", ...user },
  });
  return createMsxClient({ baseUrl: BASE, middleware: [bearerAuth(provider)] });
}

describe("token endpoint", () => {
  contractTest("getAccessToken", "the typed client's form request is valid", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken();
    const api = createMsxClient({ baseUrl: BASE });
    const { data, response } = await api.POST("/idm/v2/token", {
      body: { grant_type: "password", ...user },
      headers: {
        Authorization: basicAuthorization(client.clientId, client.clientSecret),
        "Content-Type": "application/x-www-form-urlencoded",
      },
    });
    expect(response.status).toBe(200);
    expect(data?.token_type).toBe("bearer");
    expect(msx.requests[0]?.body).toEqual({
      grant_type: "password",
      username: user.username,
      password: "<redacted>",
    });
  });

  contractTest("getAccessToken", "the token provider's password grant is valid", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken({
      match: { body: { grant_type: "password", ...user } },
    });
    const provider = createTokenProvider({
      tokenUrl: `${BASE}/idm/v2/token`,
      ...client,
      grant: { type: "password", ...user },
    });
    const token = await provider.getToken();
    expect(token.tokenType.toLowerCase()).toBe("bearer");
    expect(token.expiresAt).toBeGreaterThan(Date.now());
  });

  contractTest("getAccessToken", "an invalid_grant reply surfaces as an OAuthError", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken({
      status: 400,
      body: { error: "invalid_grant", error_description: "Bad credentials" },
    });
    const provider = createTokenProvider({
      tokenUrl: `${BASE}/idm/v2/token`,
      ...client,
      grant: { type: "password", ...user },
    });
    await expect(provider.getAccessToken()).rejects.toMatchObject({
      code: "ERR_OAUTH",
      error: "invalid_grant",
      status: 400,
    });
  });
});

describe("tenant endpoints", () => {
  contractTest("createTenant", "creates with a JSON TenantCreate body", async () => {
    const api = authenticatedClient();
    msx.createTenant({ match: { body: { name: "Dandelion and Burdock" } } });
    const { data, response } = await api.POST("/idm/api/v8/tenants", {
      body: { name: "Dandelion and Burdock", description: "fizzy", email: "test@example.com" },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ name: "Dandelion and Burdock", description: "fizzy" });
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  contractTest("createTenant", "a 400 reply comes back as a typed error", async () => {
    const api = authenticatedClient();
    msx.createTenant({ status: 400, body: errorFixture(400, { message: "name taken" }) });
    const { error, response } = await api.POST("/idm/api/v8/tenants", { body: { name: "Coke" } });
    expect(response.status).toBe(400);
    expect(error).toEqual({ code: "BAD_REQUEST", message: "name taken" });
  });

  contractTest("getTenantsPage", "lists a page with the required paging query", async () => {
    const api = authenticatedClient();
    const tenants = [tenantFixture({ name: "Coke" }), tenantFixture({ name: "Pepsi" })];
    msx.getTenantsPage({
      match: { query: { page: "0", pageSize: "100", sortOrder: "desc" } },
      body: tenantsPageFixture(tenants, { pageSize: 100, sortOrder: "desc" }),
    });
    const { data } = await api.GET("/idm/api/v8/tenants", {
      params: { query: { page: 0, pageSize: 100, sortOrder: "desc" } },
    });
    expect(data?.contents.map((t) => t.name)).toEqual(["Coke", "Pepsi"]);
  });

  contractTest("getTenantsList", "sends the ids as a repeated query parameter", async () => {
    const api = authenticatedClient();
    msx.getTenantsList({ match: { query: { ids: [TENANT_ID, OTHER_ID] } } });
    const { data } = await api.GET("/idm/api/v8/tenants/list", {
      params: { query: { ids: [TENANT_ID, OTHER_ID] } },
    });
    expect(data?.map((t) => t.id)).toEqual([TENANT_ID, OTHER_ID]);
  });

  contractTest("getTenant", "gets one tenant by id", async () => {
    const api = authenticatedClient();
    msx.getTenant({ match: { params: { id: TENANT_ID } } });
    const { data } = await api.GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(data?.id).toBe(TENANT_ID);
  });

  contractTest("getTenant", "a 404 comes back as the spec's Error", async () => {
    const api = authenticatedClient();
    msx.getTenant({ status: 404 });
    const { error, response } = await api.GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(response.status).toBe(404);
    expect(error).toEqual({ code: "NOT_FOUND", message: "Tenant not found" });
  });

  contractTest("getTenantByExternalId", "escapes the external id in the path", async () => {
    const api = authenticatedClient();
    msx.getTenantByExternalId({ match: { params: { externalId: "crm/000 123" } } });
    const { data } = await api.GET("/idm/api/v8/tenants/externalId/{externalId}", {
      params: { path: { externalId: "crm/000 123" } },
    });
    expect(data?.externalId).toBe("crm/000 123");
  });

  contractTest("updateTenant", "updates with a JSON TenantUpdate body", async () => {
    const api = authenticatedClient();
    msx.updateTenant({ match: { params: { id: TENANT_ID }, body: { name: "Renamed" } } });
    const { data } = await api.PUT("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
      body: { name: "Renamed", description: null },
    });
    expect(data).toMatchObject({ id: TENANT_ID, name: "Renamed", description: null });
  });

  contractTest("deleteTenant", "deletes and gets 204 with no body", async () => {
    const api = authenticatedClient();
    msx.deleteTenant({ match: { params: { id: TENANT_ID } } });
    const { data, error, response } = await api.DELETE("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(response.status).toBe(204);
    expect(data).toBeUndefined();
    expect(error).toBeUndefined();
  });

  contractTest("deleteTenant", "a 409 for a tenant with children is a typed error", async () => {
    const api = authenticatedClient();
    msx.deleteTenant({ status: 409 });
    const { error } = await api.DELETE("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(error).toEqual({ code: "CONFLICT", message: "Tenant has child tenants" });
  });
});

describe("coverage", () => {
  it("reads the operations from the spec file", () => {
    msx = mockMsx(BASE);
    expect(specOperationIds()).toHaveLength(8);
  });

  it("has a contract test for every operation in openapi/msx.yaml", () => {
    msx = mockMsx(BASE);
    expect(uncoveredOperations()).toEqual([]);
  });
});
