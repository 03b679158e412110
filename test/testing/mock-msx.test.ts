import nock from "nock";
import { describe, expect, it } from "vitest";
import { createMsxClient } from "../../src/client/msx.js";
import {
  ContractViolationError,
  mockMsx,
  tenantFixture,
  VIOLATION_HEADER,
  VIOLATION_STATUS,
} from "../../src/testing/index.js";
import { useNockHygiene } from "./nock-hygiene.js";

useNockHygiene();

const BASE = "https://msx.example.test";
const BASIC = `Basic ${Buffer.from("my-client:my-secret").toString("base64")}`;
const TENANT_ID = "07430f51-65f7-46f0-8306-0cce8cae147c";
const FORM = "application/x-www-form-urlencoded";

function tokenRequest(init: { headers?: Record<string, string>; body?: string } = {}) {
  return fetch(`${BASE}/idm/v2/token`, {
    method: "POST",
    headers: init.headers ?? { Authorization: BASIC, "Content-Type": FORM },
    body: init.body ?? "grant_type=password&username=superuser&password=pw",
  });
}

function createTenantRequest(body: string, headers: Record<string, string> = {}) {
  return fetch(`${BASE}/idm/api/v8/tenants`, {
    method: "POST",
    headers: { Authorization: "Bearer t0k3n", "Content-Type": "application/json", ...headers },
    body,
  });
}

/** The message verify() throws, or a failure if it does not throw. */
function verifyMessage(msx: { verify(): void }): string {
  try {
    msx.verify();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolationError);
    return (error as Error).message;
  }
  throw new Error("expected verify() to throw");
}

describe("a request that matches the spec", () => {
  it("gets the default spec-valid reply and leaves nothing to report", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    const response = await tokenRequest();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const token = (await response.json()) as { access_token: string; token_type: string };
    expect(token.token_type).toBe("bearer");
    expect(token.access_token).toMatch(/^eyJ/);
    expect(() => msx.verify()).not.toThrow();
    expect(msx.isDone()).toBe(true);
  });
});

describe("a request that breaks the spec fails the test, saying which rule it broke", () => {
  it("rejects a body that fails the schema, naming the operation and the field", async () => {
    const msx = mockMsx(BASE).createTenant();
    const response = await createTenantRequest(JSON.stringify({ description: "no name" }));
    expect(response.status).toBe(VIOLATION_STATUS);
    expect(response.headers.get(VIOLATION_HEADER)).toBe("true");
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe("CONTRACT_VIOLATION");
    expect(body.message).toContain("createTenant");
    expect(body.message).toContain("must have required property 'name'");

    expect(msx.violations).toEqual([
      {
        operationId: "createTenant",
        method: "POST",
        path: "/idm/api/v8/tenants",
        problems: ["request body: must have required property 'name'"],
      },
    ]);
    const message = verifyMessage(msx);
    expect(message).toContain("createTenant (POST /idm/api/v8/tenants)");
    expect(message).toContain("request body: must have required property 'name'");
  });

  it("rejects a field of the wrong type or length", async () => {
    const msx = mockMsx(BASE).createTenant();
    await createTenantRequest(JSON.stringify({ name: "x".repeat(129) }));
    expect(verifyMessage(msx)).toContain(
      'request body field "name": must NOT have more than 128 characters',
    );
  });

  it("rejects a wrong content type on a JSON operation", async () => {
    const msx = mockMsx(BASE).createTenant();
    const response = await createTenantRequest(JSON.stringify({ name: "Coke" }), {
      "Content-Type": "text/plain",
    });
    expect(response.status).toBe(VIOLATION_STATUS);
    expect(verifyMessage(msx)).toContain(
      'createTenant (POST /idm/api/v8/tenants): wrong Content-Type "text/plain" (expected application/json)',
    );
  });

  it("rejects a token request sent as JSON (openapi-fetch's default without the exact form header)", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    const response = await tokenRequest({
      headers: { Authorization: BASIC, "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "password" }),
    });
    expect(response.status).toBe(VIOLATION_STATUS);
    const error = (await response.json()) as { error: string; error_description: string };
    expect(error.error).toBe("invalid_request");
    expect(error.error_description).toContain("getAccessToken");
    const message = verifyMessage(msx);
    expect(message).toContain(`wrong Content-Type "application/json" (expected exactly ${FORM})`);
    expect(message).toContain("the body is JSON, not form-encoded");
  });

  it("rejects JSON sent under the form header", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    await tokenRequest({
      headers: { Authorization: BASIC, "Content-Type": FORM },
      body: JSON.stringify({ grant_type: "password" }),
    });
    const message = verifyMessage(msx);
    expect(message).toContain("the body is JSON, not form-encoded");
    expect(message).not.toContain("wrong Content-Type");
  });

  it("rejects a form content type with parameters other than charset=UTF-8", async () => {
    const msx = mockMsx(BASE).getAccessToken({ times: 2 });
    await tokenRequest({
      headers: { Authorization: BASIC, "Content-Type": `${FORM};charset=UTF-8` },
    });
    expect(msx.violations).toEqual([]);
    await tokenRequest({
      headers: { Authorization: BASIC, "Content-Type": `${FORM}; boundary=x` },
    });
    expect(verifyMessage(msx)).toContain("wrong Content-Type");
  });

  it("rejects a token request without the Basic header", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    const response = await tokenRequest({ headers: { "Content-Type": FORM } });
    expect(response.status).toBe(VIOLATION_STATUS);
    expect(verifyMessage(msx)).toContain(
      "getAccessToken (POST /idm/v2/token): the Basic Authorization header is missing",
    );
  });

  it("rejects a token request that authenticates with a Bearer token", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    await tokenRequest({ headers: { Authorization: "Bearer abc", "Content-Type": FORM } });
    expect(verifyMessage(msx)).toContain("uses the Bearer scheme (expected Basic)");
  });

  it("rejects Basic credentials that are not base64 of id:secret", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    await tokenRequest({
      headers: { Authorization: "Basic my-client:my-secret", "Content-Type": FORM },
    });
    expect(verifyMessage(msx)).toContain("not base64 of client_id:client_secret");
  });

  it("checks the client credentials when told them, without printing the secret", async () => {
    const client = { clientId: "my-client", clientSecret: "the-real-secret" };
    const msx = mockMsx(BASE, { client }).getAccessToken({ times: 3 });
    await tokenRequest(); // my-client:my-secret
    const wrongId = `Basic ${Buffer.from("other:the-real-secret").toString("base64")}`;
    await tokenRequest({ headers: { Authorization: wrongId, "Content-Type": FORM } });
    // RFC 6749 §2.3.1 form-encoding of the id and secret is accepted as well as raw values.
    const encoded = `Basic ${Buffer.from("my%2Dclient:the%2Dreal%2Dsecret").toString("base64")}`;
    await tokenRequest({ headers: { Authorization: encoded, "Content-Type": FORM } });

    const message = verifyMessage(msx);
    expect(msx.violations).toHaveLength(2);
    expect(message).toContain("the Basic credentials carry the wrong client secret");
    expect(message).toContain('name client id "other" (expected "my-client")');
    expect(message).not.toContain("the-real-secret");
    expect(message).not.toContain("my-secret");
  });

  it("rejects a tenant call without a Bearer token", async () => {
    const msx = mockMsx(BASE).getTenant();
    await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`);
    expect(verifyMessage(msx)).toContain(
      `getTenant (GET /idm/api/v8/tenants/${TENANT_ID}): the Bearer Authorization header is missing`,
    );
  });

  it("rejects a Bearer token the mock did not issue once it issued one", async () => {
    const msx = mockMsx(BASE).getAccessToken().getTenant({ times: 2 });
    const token = ((await (await tokenRequest()).json()) as { access_token: string }).access_token;
    const good = await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(good.status).toBe(200);
    await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, {
      headers: { Authorization: "Bearer forged-token-xyz" },
    });
    const message = verifyMessage(msx);
    expect(message).toContain("the Bearer token is not one this mock issued or accepts");
    expect(message).not.toContain("forged-token-xyz");
  });

  it("rejects bad query and path parameters", async () => {
    const msx = mockMsx(BASE).getTenantsPage().getTenant();
    const headers = { Authorization: "Bearer t" };
    await fetch(`${BASE}/idm/api/v8/tenants?page=0&pageSize=5000`, { headers });
    await fetch(`${BASE}/idm/api/v8/tenants/not-a-uuid`, { headers });
    const message = verifyMessage(msx);
    expect(message).toContain('query parameter "pageSize": must be <= 1000');
    expect(message).toContain('path parameter "id": must match format "uuid"');
  });

  it('rejects a form field that is the string "undefined"', async () => {
    const msx = mockMsx(BASE).getAccessToken();
    await tokenRequest({ body: "grant_type=password&username=u&password=p&scope=undefined" });
    expect(verifyMessage(msx)).toContain('form field "scope" is the string "undefined"');
  });

  it("rejects a body on an operation that takes none", async () => {
    const msx = mockMsx(BASE).deleteTenant();
    await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(verifyMessage(msx)).toContain("the operation takes no request body, but one was sent");
  });
});

describe("requests nobody expected", () => {
  it("answers a call of an operation with no expectation with a violation, not nock's error", async () => {
    const msx = mockMsx(BASE);
    const response = await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer secret-token-value" },
    });
    expect(response.status).toBe(VIOLATION_STATUS);
    const message = verifyMessage(msx);
    expect(message).toContain(
      "deleteTenant (DELETE /idm/api/v8/tenants/07430f51-65f7-46f0-8306-0cce8cae147c): unexpected call: no expectation was set for this operation",
    );
    expect(message).not.toContain("secret-token-value");
    expect(JSON.stringify(msx.requests)).not.toContain("secret-token-value");
  });

  it("reports a path that is no operation of the spec", async () => {
    const msx = mockMsx(BASE);
    await fetch(`${BASE}/idm/api/v8/tenant`, { headers: { Authorization: "Bearer t" } });
    expect(verifyMessage(msx)).toContain(
      "no operation of the spec is GET /idm/api/v8/tenant (a typo in the path or method?)",
    );
  });

  it("reports a second call when only one was expected", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    expect((await tokenRequest()).status).toBe(200);
    expect((await tokenRequest()).status).toBe(VIOLATION_STATUS);
    expect(verifyMessage(msx)).toContain(
      "unexpected call: every expectation for this operation was already used",
    );
  });

  it("reports a call outside the mocked base path", async () => {
    const msx = mockMsx(`${BASE}/platform`);
    await fetch(`${BASE}/idm/v2/token`, { method: "POST" });
    expect(verifyMessage(msx)).toContain(
      "outside the mocked base URL https://msx.example.test/platform",
    );
  });
});

describe("unused expectations", () => {
  it("are reported by verify() and left in nock.pendingMocks()", () => {
    const msx = mockMsx(BASE)
      .createTenant()
      .deleteTenant({ match: { params: { id: TENANT_ID } } });
    const message = verifyMessage(msx);
    expect(message).toContain(
      "createTenant (POST /idm/api/v8/tenants): expected 1 more call(s), none came",
    );
    expect(message).toContain(
      "deleteTenant (DELETE /idm/api/v8/tenants/{id}) matching the given `match`",
    );
    expect(msx.pending()).toHaveLength(2);
    expect(nock.pendingMocks()).toHaveLength(2);
    nock.cleanAll(); // this test leaves them on purpose; the hygiene check would fail otherwise
  });

  it("do not include the mock's own catch-all", () => {
    mockMsx(BASE);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("overriding the reply", () => {
  it("takes a documented status with its typed body, and extra headers", async () => {
    const msx = mockMsx(BASE).getTenant({
      status: 404,
      body: { code: "NOT_FOUND", message: "No such tenant" },
      headers: { "X-Request-Id": "req-1" },
    });
    const client = createMsxClient({ baseUrl: BASE, headers: { Authorization: "Bearer t" } });
    const { error, response } = await client.GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: TENANT_ID } },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(error).toEqual({ code: "NOT_FOUND", message: "No such tenant" });
    msx.verify();
  });

  it("builds the body from the request when given a function", async () => {
    const msx = mockMsx(BASE).createTenant({
      body: (request) => tenantFixture({ name: `${request.body?.name}!`, id: TENANT_ID }),
    });
    const client = createMsxClient({ baseUrl: BASE, headers: { Authorization: "Bearer t" } });
    const { data } = await client.POST("/idm/api/v8/tenants", { body: { name: "Pepsi" } });
    expect(data).toMatchObject({ id: TENANT_ID, name: "Pepsi!" });
    msx.verify();
  });

  it("answers `times` calls", async () => {
    const msx = mockMsx(BASE).getAccessToken({ times: 3 });
    for (let i = 0; i < 3; i += 1) expect((await tokenRequest()).status).toBe(200);
    msx.verify();
  });

  it("reports a mocked reply that does not match the spec", async () => {
    const msx = mockMsx(BASE).getTenant({ body: { name: "no id" } as never });
    await fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, {
      headers: { Authorization: "Bearer t" },
    });
    expect(verifyMessage(msx)).toContain(
      "the mocked 200 reply does not match the spec: must have required property 'id'",
    );
  });
});

describe("matching requests to expectations", () => {
  it("routes by path parameters, query and body", async () => {
    const other = "1817ec68-e182-4865-8d83-fc13035b4811";
    const msx = mockMsx(BASE)
      .getTenant({
        match: { params: { id: other } },
        body: tenantFixture({ id: other, name: "B" }),
      })
      .getTenant({
        match: { params: { id: TENANT_ID } },
        body: tenantFixture({ id: TENANT_ID, name: "A" }),
      })
      .getTenantsPage({
        match: { query: { page: "1" } },
        body: {
          page: 1,
          pageSize: 1,
          totalItems: 2,
          hasNext: false,
          hasPrevious: true,
          contents: [],
        },
      })
      .getTenantsPage({ match: { query: { page: "0" } } })
      .getAccessToken({
        match: { body: { grant_type: "client_credentials" } },
        status: 401,
        body: { error: "unauthorized_client" },
      })
      .getAccessToken({ match: { body: { grant_type: "password" } } });
    const client = createMsxClient({ baseUrl: BASE, headers: { Authorization: "Bearer t" } });

    const a = await client.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: TENANT_ID } } });
    const b = await client.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: other } } });
    expect([a.data?.name, b.data?.name]).toEqual(["A", "B"]);

    const page1 = await client.GET("/idm/api/v8/tenants", {
      params: { query: { page: 1, pageSize: 1 } },
    });
    const page0 = await client.GET("/idm/api/v8/tenants", {
      params: { query: { page: 0, pageSize: 1 } },
    });
    expect([page1.data?.page, page0.data?.page]).toEqual([1, 0]);

    const password = await tokenRequest();
    const clientCredentials = await tokenRequest({ body: "grant_type=client_credentials" });
    expect([password.status, clientCredentials.status]).toEqual([200, 401]);
    msx.verify();
  });

  it("reports a request that no expectation's match accepts", async () => {
    const msx = mockMsx(BASE).deleteTenant({ match: { params: { id: TENANT_ID } } });
    await fetch(`${BASE}/idm/api/v8/tenants/1817ec68-e182-4865-8d83-fc13035b4811`, {
      method: "DELETE",
      headers: { Authorization: "Bearer t" },
    });
    const message = verifyMessage(msx);
    expect(message).toContain("unexpected call: no expectation for this operation matches it");
    expect(message).toContain(
      "deleteTenant (DELETE /idm/api/v8/tenants/{id}) matching the given `match`",
    );
    nock.cleanAll();
  });

  it("routes /tenants/list to getTenantsList, not to getTenant with id 'list'", async () => {
    const msx = mockMsx(BASE).getTenantsList();
    const client = createMsxClient({ baseUrl: BASE, headers: { Authorization: "Bearer t" } });
    const { data } = await client.GET("/idm/api/v8/tenants/list", {
      params: { query: { ids: [TENANT_ID] } },
    });
    expect(data?.map((t) => t.id)).toEqual([TENANT_ID]);
    msx.verify();
  });

  it("serves a platform under a base path", async () => {
    const msx = mockMsx(`${BASE}/platform/`).getAccessToken();
    const response = await fetch(`${BASE}/platform/idm/v2/token`, {
      method: "POST",
      headers: { Authorization: BASIC, "Content-Type": FORM },
      body: "grant_type=client_credentials",
    });
    expect(response.status).toBe(200);
    msx.verify();
  });
});

describe("what the mock records", () => {
  it("keeps requests with secrets masked", async () => {
    const msx = mockMsx(BASE).getAccessToken();
    await tokenRequest({ body: "grant_type=password&username=superuser&password=hunter2" });
    expect(msx.requests).toEqual([
      {
        operationId: "getAccessToken",
        method: "POST",
        path: "/idm/v2/token",
        query: "",
        authorizationScheme: "Basic",
        contentType: FORM,
        body: { grant_type: "password", username: "superuser", password: "<redacted>" },
        valid: true,
      },
    ]);
    expect(JSON.stringify(msx.requests)).not.toContain("hunter2");
  });
});

describe("several mocks of one origin", () => {
  it("a new mock takes over from an earlier one that was never cleaned up", async () => {
    const earlier = mockMsx(BASE).getAccessToken();
    expect((await tokenRequest()).status).toBe(200);
    earlier.verify();

    const later = mockMsx(BASE).createTenant();
    const created = await createTenantRequest(JSON.stringify({ name: "Tango" }));
    expect(created.status).toBe(201);
    expect((await tokenRequest()).status).toBe(VIOLATION_STATUS);
    expect(earlier.violations).toEqual([]);
    expect(verifyMessage(later)).toContain("getAccessToken (POST /idm/v2/token): unexpected call");
  });

  it("an earlier mock's live expectation is not swallowed by a later mock's catch-all", async () => {
    const earlier = mockMsx(BASE).getAccessToken();
    const later = mockMsx(BASE).createTenant();
    expect((await tokenRequest()).status).toBe(200);
    expect((await createTenantRequest(JSON.stringify({ name: "Tango" }))).status).toBe(201);
    earlier.verify();
    later.verify();
  });

  it("concurrent calls each find their expectation", async () => {
    const msx = mockMsx(BASE).getTenant({ times: 3 }).createTenant();
    const headers = { Authorization: "Bearer t" };
    const statuses = await Promise.all([
      fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, { headers }),
      createTenantRequest(JSON.stringify({ name: "Tango" })),
      fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, { headers }),
      fetch(`${BASE}/idm/api/v8/tenants/${TENANT_ID}`, { headers }),
    ]).then((responses) => responses.map((r) => r.status));
    expect(statuses).toEqual([200, 201, 200, 200]);
    msx.verify();
  });
});
