/**
 * The sandbox from the outside: real HTTP on 127.0.0.1, plain fetch, every answer checked against
 * openapi/msx.yaml by SpecCheckedClient. The last test proves the suite reached every status the
 * spec documents for every operation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_TENANTS } from "../../src/sandbox/index.js";
import {
  COKE_ID,
  type Fixture,
  formEncodedBasic,
  rawBasic,
  SERVICE_CLIENT,
  SPRITE_ID,
  startFixture,
  TENANTS_PATH,
  UNKNOWN_ID,
  USERS,
} from "./support/sandbox-fixture.js";
import type { Answer } from "./support/spec-checked-client.js";

const SWITCH_TENANT = "urn:cisco:nfv:oauth:grant-type:switch-tenant";
const SWITCH_USER = "urn:cisco:nfv:oauth:grant-type:switch-user";

let f: Fixture;
let superToken: string;

beforeAll(async () => {
  f = await startFixture({
    accessTokenTtlSeconds: 600,
    refreshTokenTtlSeconds: 1200,
    maxStoreBytes: 1024 * 1024, // small enough to reach the documented 409 in a few requests
  });
  superToken = await f.signIn();
});
afterAll(() => f.sandbox.close());

/** Creates a tenant as the superuser and returns it. */
async function createTenant(body: Record<string, unknown>) {
  const answer = await f.api.call(TENANTS_PATH, { method: "POST", bearer: superToken, json: body });
  expect(answer.status).toBe(201);
  return answer.body;
}

describe("POST /idm/v2/token", () => {
  it("issues opaque bearer tokens for the password grant, shaped like the platform's AccessToken", async () => {
    const answer = await f.token({
      grant_type: "password",
      username: "superuser",
      password: "sandbox-password",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("pragma")).toBe("no-cache");
    expect(answer.body).toMatchObject({
      token_type: "bearer",
      expires_in: 600,
      username: "superuser",
      roles: ["ROLE_SUPER_USER"],
      tenantId: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e01",
      iat: new Date(f.clock.now).toISOString(),
      expiry: new Date(f.clock.now + 600_000).toISOString(),
    });
    expect(answer.body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.body.access_token).not.toBe(answer.body.refresh_token);
  });

  it("accepts Basic credentials both raw and RFC 6749 §2.3.1 form-encoded, and client_secret_post", async () => {
    const fields = { grant_type: "client_credentials" };
    const { clientId, clientSecret } = SERVICE_CLIENT;
    // The id holds ':' so only the form-encoded header can carry it.
    expect((await f.token(fields, formEncodedBasic(clientId, clientSecret))).status).toBe(200);
    expect((await f.token(fields, rawBasic(clientId, clientSecret))).status).toBe(401);
    const { sandbox } = f;
    expect((await f.token(fields, rawBasic(sandbox.clientId, sandbox.clientSecret))).status).toBe(
      200,
    );
    expect(
      (await f.token(fields, formEncodedBasic(sandbox.clientId, sandbox.clientSecret))).status,
    ).toBe(200);
    const posted = await f.token(
      { ...fields, client_id: clientId, client_secret: clientSecret },
      null,
    );
    expect(posted.status).toBe(200);
    // The spec's `{}` alternative also covers a public client (client_id alone); the sandbox
    // has none and says so, with the Basic challenge of any invalid_client.
    const publicClient = await f.token({ ...fields, client_id: sandbox.clientId }, null);
    expect(publicClient.status).toBe(401);
    expect(publicClient.body.error).toBe("invalid_client");
    expect(publicClient.body.error_description).toContain("no public clients");
    const wrongPost = await f.token(
      { ...fields, client_id: sandbox.clientId, client_secret: "wrong" },
      null,
    );
    expect(wrongPost.status).toBe(401);
    const twice = await f.token(
      { ...fields, client_id: sandbox.clientId, client_secret: sandbox.clientSecret },
      rawBasic(sandbox.clientId, sandbox.clientSecret),
    );
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe("invalid_request");
  });

  it("answers 401 invalid_client with a Basic challenge, never echoing the secret", async () => {
    const fields = { grant_type: "password", username: "superuser", password: "sandbox-password" };
    for (const authorization of [
      rawBasic("passgrant-sandbox-client", "wrong-secret-123"),
      rawBasic("no-such-client", "sandbox-client-secret"),
      "Basic !!!not-base64!!!",
      "Bearer something",
      null,
    ]) {
      const answer = await f.token(fields, authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(answer.body.error).toBe("invalid_client");
      expect(answer.headers.get("www-authenticate")).toBe('Basic realm="passgrant-sandbox"');
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("pragma")).toBe("no-cache");
      expect(JSON.stringify(answer.body)).not.toContain("wrong-secret-123");
    }
  });

  it("answers 400 invalid_grant for bad user credentials", async () => {
    const answer = await f.token({
      grant_type: "password",
      username: "superuser",
      password: "nope",
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: "invalid_grant", error_description: "Bad credentials" });
    expect(answer.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 400 with the right RFC 6749 §5.2 error for malformed token requests", async () => {
    const cases: Array<[Record<string, string> | string, string, RegExp]> = [
      [{ grant_type: "implicit" }, "unsupported_grant_type", /grant_type must be one of/],
      [{ grant_type: "password", password: "x" }, "invalid_request", /username is required/],
      [{ username: "superuser" }, "invalid_request", /grant_type is required/],
      ["grant_type=password&grant_type=password", "invalid_request", /more than once/],
    ];
    for (const [fields, error, description] of cases) {
      const answer =
        typeof fields === "string"
          ? await f.api.call("/idm/v2/token", {
              method: "POST",
              headers: {
                authorization: rawBasic(f.sandbox.clientId, f.sandbox.clientSecret),
                "content-type": "application/x-www-form-urlencoded",
              },
              body: fields,
            })
          : await f.token(fields);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe(error);
      expect(answer.body.error_description).toMatch(description);
    }
  });

  it("answers invalid_request to a JSON token request (the endpoint takes a form)", async () => {
    const answer = await f.api.call("/idm/v2/token", {
      method: "POST",
      headers: { authorization: rawBasic(f.sandbox.clientId, f.sandbox.clientSecret) },
      json: { grant_type: "client_credentials" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(/application\/x-www-form-urlencoded/);
  });

  it("refuses a client two authentication methods at once (RFC 6749 §2.3)", async () => {
    const answer = await f.token({
      grant_type: "client_credentials",
      client_id: f.sandbox.clientId,
      client_secret: f.sandbox.clientSecret,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_request");
  });

  it("answers 400 unauthorized_client for a grant the client may not use", async () => {
    const answer = await f.token(
      { grant_type: "password", username: "superuser", password: "sandbox-password" },
      formEncodedBasic(SERVICE_CLIENT.clientId, SERVICE_CLIENT.clientSecret),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("unauthorized_client");
  });

  it("rotates refresh tokens: the new one works, the used one is refused", async () => {
    const first = await f.token({
      grant_type: "password",
      username: "admin",
      password: "admin-password",
    });
    const refreshed = await f.token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ username: "admin", roles: ["ROLE_TENANT_ADMIN"] });
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    const replay = await f.token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    const page = await f.api.call(`${TENANTS_PATH}?page=0&pageSize=1`, {
      bearer: refreshed.body.access_token,
    });
    expect(page.status).toBe(200);
  });

  it("refuses a refresh token issued to another client", async () => {
    const first = await f.token({
      grant_type: "password",
      username: "admin",
      password: "admin-password",
    });
    const stolen = await f.token(
      { grant_type: "refresh_token", refresh_token: first.body.refresh_token },
      rawBasic("passgrant-sandbox-client", "wrong"),
    );
    expect(stolen.status).toBe(401);
    const other = await f.token(
      {
        grant_type: "refresh_token",
        refresh_token: first.body.refresh_token,
        client_id: SERVICE_CLIENT.clientId,
        client_secret: SERVICE_CLIENT.clientSecret,
      },
      null,
    );
    expect(other.status).toBe(400);
    expect(other.body.error).toMatch(/unauthorized_client|invalid_grant/);
    // The owner can still use it.
    const owner = await f.token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token,
    });
    expect(owner.status).toBe(200);
  });

  it("issues client-credentials tokens without a refresh token (RFC 6749 §4.4.3)", async () => {
    const answer = await f.token({ grant_type: "client_credentials" });
    expect(answer.status).toBe(200);
    expect(answer.body.refresh_token).toBeUndefined();
    expect(answer.body.roles).toEqual(["ROLE_CLIENT"]);
    const list = await f.api.call(`${TENANTS_PATH}?page=0&pageSize=10`, {
      bearer: answer.body.access_token,
    });
    expect(list.status).toBe(200);
  });

  it("switches tenant by tenant_id or tenant_name", async () => {
    const byId = await f.token({
      grant_type: SWITCH_TENANT,
      access_token: superToken,
      tenant_id: COKE_ID,
    });
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ tenantId: COKE_ID, username: "superuser" });
    const byName = await f.token({
      grant_type: SWITCH_TENANT,
      access_token: superToken,
      tenant_name: "Sprite",
    });
    expect(byName.body.tenantId).toBe(SPRITE_ID);
    for (const [fields, pattern] of [
      [{ tenant_id: UNKNOWN_ID }, /names no known tenant/],
      [{ tenant_name: "No Such Tenant" }, /names no known tenant/],
      [{}, /tenant_id or tenant_name is required/],
    ] as const) {
      const answer = await f.token({
        grant_type: SWITCH_TENANT,
        access_token: superToken,
        ...fields,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toMatch(pattern);
    }
    const badToken = await f.token({
      grant_type: SWITCH_TENANT,
      access_token: "nope",
      tenant_id: COKE_ID,
    });
    expect(badToken.status).toBe(400);
    expect(badToken.body.error).toBe("invalid_grant");
  });

  it("switches user for a super user and answers 403 access_denied to anyone else", async () => {
    const answer = await f.token({
      grant_type: SWITCH_USER,
      access_token: superToken,
      switch_username: "viewer",
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ username: "viewer", roles: ["ROLE_TENANT_VIEWER"] });
    const viewerToken = answer.body.access_token;
    const denied = await f.token({
      grant_type: SWITCH_USER,
      access_token: viewerToken,
      switch_username: "superuser",
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe("access_denied");
    const unknown = await f.token({
      grant_type: SWITCH_USER,
      access_token: superToken,
      switch_username: "ghost",
    });
    expect(unknown.status).toBe(400);
  });

  it("answers 500 with the platform Error body when a fault is injected", async () => {
    f.sandbox.inject({ operationId: "getAccessToken", status: 500 });
    const answer = await f.token({ grant_type: "client_credentials" });
    expect(answer.status).toBe(500);
    expect(answer.body.code).toBe("INTERNAL_ERROR");
  });
});

describe("token lifetime", () => {
  it("answers 401 invalid_token once the access token expires; the refresh token lives on until its own expiry", async () => {
    const signIn = await f.token({
      grant_type: "password",
      username: "admin",
      password: "admin-password",
    });
    const { access_token: access, refresh_token: refresh } = signIn.body;
    const start = f.clock.now;
    try {
      f.clock.now = start + 600_000;
      const expired = await f.api.call(`${TENANTS_PATH}?page=0&pageSize=1`, { bearer: access });
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toMatch(
        /^Bearer realm="passgrant-sandbox", error="invalid_token", error_description="the access token expired/,
      );
      const renewed = await f.token({ grant_type: "refresh_token", refresh_token: refresh });
      expect(renewed.status).toBe(200);
      f.clock.now = start + 600_000 + 1_200_000;
      const late = await f.token({
        grant_type: "refresh_token",
        refresh_token: renewed.body.refresh_token,
      });
      expect(late.status).toBe(400);
      expect(late.body.error).toBe("invalid_grant");
    } finally {
      // Tokens that expired while the clock was ahead are gone for good: sign in again.
      f.clock.now = start;
      superToken = await f.signIn();
    }
  });
});

describe("bearer authentication on tenant operations", () => {
  const everyOperation = () =>
    [
      ["GET", `${TENANTS_PATH}?page=0&pageSize=5`],
      ["POST", TENANTS_PATH, { name: "unauthorised" }],
      ["GET", `${TENANTS_PATH}/list?ids=${COKE_ID}`],
      ["GET", `${TENANTS_PATH}/${COKE_ID}`],
      ["GET", `${TENANTS_PATH}/externalId/crm-000002`],
      ["PUT", `${TENANTS_PATH}/${SPRITE_ID}`, { name: "Sprite" }],
      ["DELETE", `${TENANTS_PATH}/${UNKNOWN_ID}`],
    ] as const;

  it("answers 401 with an RFC 6750 challenge when the token is missing, unknown or malformed", async () => {
    for (const [method, path, json] of everyOperation()) {
      const missing = await f.api.call(path, { method, ...(json && { json }) });
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="passgrant-sandbox"');
      const unknown = await f.api.call(path, {
        method,
        bearer: "not-a-token",
        ...(json && { json }),
      });
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    }
    const malformed = await f.api.call(TENANTS_PATH, { headers: { authorization: "Bearer a b" } });
    expect(malformed.status).toBe(401);
  });

  it("answers 403 to users whose roles do not allow the operation", async () => {
    const nobody = await f.signIn(USERS.nobody.username, USERS.nobody.password);
    const viewer = await f.signIn(USERS.viewer.username, USERS.viewer.password);
    for (const [method, path, json] of everyOperation()) {
      const answer = await f.api.call(path, { method, bearer: nobody, ...(json && { json }) });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.code).toBe("FORBIDDEN");
    }
    // The viewer's home tenant is the seeded "Dandelion and Burdock" (see authorization.test.ts
    // for the scope of tenant admins and viewers).
    const home = SEED_TENANTS[0]?.id;
    const viewerRead = await f.api.call(`${TENANTS_PATH}/${home}`, { bearer: viewer });
    expect(viewerRead.status).toBe(200);
    const viewerWrite = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer: viewer,
      json: { name: "x" },
    });
    expect(viewerWrite.status).toBe(403);
  });

  it("answers 500 on every tenant operation when a fault is injected", async () => {
    for (const [method, path, json] of everyOperation()) {
      f.sandbox.inject({ method, path: new URL(path, f.sandbox.url).pathname, status: 500 });
      const answer = await f.api.call(path, { method, bearer: superToken, ...(json && { json }) });
      expect(answer.status).toBe(500);
    }
  });
});

describe("createTenant", () => {
  it("creates a tenant with server-set fields and counts it among its parent's children", async () => {
    const parent = await createTenant({ name: "Parent for create" });
    const child = await createTenant({
      name: "Child",
      parentId: parent.id,
      externalId: "create-child-1",
      description: "d",
      url: "https://example.com",
      email: "c@example.com",
    });
    expect(child).toMatchObject({
      name: "Child",
      parentId: parent.id,
      externalId: "create-child-1",
      suspended: false,
      numberOfChildren: 0,
      createdOn: new Date(f.clock.now).toISOString(),
      modifiedOn: new Date(f.clock.now).toISOString(),
    });
    const reread = await f.api.call(`${TENANTS_PATH}/${parent.id}`, { bearer: superToken });
    expect(reread.body.numberOfChildren).toBe(1);
    expect(f.sandbox.tenants().some((tenant) => tenant.id === child.id)).toBe(true);
  });

  it("allows duplicate names (the platform documents no uniqueness rule)", async () => {
    const a = await createTenant({ name: "Twin" });
    const b = await createTenant({ name: "Twin" });
    expect(a.id).not.toBe(b.id);
  });

  it("answers 400 saying what is wrong with a bad body", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /request body field name is required/],
      [{ name: "" }, /request body field name must NOT have fewer than 1 characters/],
      [{ name: "x".repeat(129) }, /request body field name must NOT have more than 128 characters/],
      [{ name: 42 }, /request body field name must be string/],
      [
        { name: "ok", parentId: "not-a-uuid" },
        /request body field parentId must match format "uuid"/,
      ],
      [{ name: "ok", parentId: UNKNOWN_ID }, /parentId .* names no existing tenant/],
      [{ name: "ok", externalId: "crm-000001" }, /externalId is already used/],
      [[1, 2], /request body must be object/],
    ];
    for (const [json, message] of cases) {
      const answer = await f.api.call(TENANTS_PATH, { method: "POST", bearer: superToken, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body).toEqual({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    }
  });
});

describe("getTenantsPage", () => {
  let parentId: string;
  const names = ["delta", "Alpha", "charlie", "bravo", "echo"];

  beforeAll(async () => {
    parentId = (await createTenant({ name: "Paging parent" })).id;
    for (const name of names) {
      f.clock.now += 1000;
      await createTenant({ name, parentId, image: `image-of-${name}` });
    }
  });

  const page = (query: string, bearer = superToken) =>
    f.api.call(`${TENANTS_PATH}?parentId=${parentId}&${query}`, { bearer });

  it("pages through a parent's children in creation order by default", async () => {
    const first = await page("page=0&pageSize=2");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      page: 0,
      pageSize: 2,
      totalItems: 5,
      hasNext: true,
      hasPrevious: false,
    });
    expect(first.body.contents.map((t: { name: string }) => t.name)).toEqual(["delta", "Alpha"]);
    const last = await page("page=2&pageSize=2");
    expect(last.body).toMatchObject({ totalItems: 5, hasNext: false, hasPrevious: true });
    expect(last.body.contents.map((t: { name: string }) => t.name)).toEqual(["echo"]);
    const beyond = await page("page=9&pageSize=2");
    expect(beyond.body.contents).toEqual([]);
  });

  it("sorts by name (case-insensitively) and by createdOn, ascending or descending", async () => {
    const byName = await page("page=0&pageSize=10&sortBy=name");
    expect(byName.body.contents.map((t: { name: string }) => t.name)).toEqual([
      "Alpha",
      "bravo",
      "charlie",
      "delta",
      "echo",
    ]);
    expect(byName.body).toMatchObject({ sortBy: "name", sortOrder: "asc" });
    const newestFirst = await page("page=0&pageSize=10&sortBy=createdOn&sortOrder=desc");
    expect(newestFirst.body.contents.map((t: { name: string }) => t.name)).toEqual(
      [...names].reverse(),
    );
  });

  it("omits image unless showImage=true", async () => {
    const hidden = await page("page=0&pageSize=1");
    expect(hidden.body.contents[0]).not.toHaveProperty("image");
    const shown = await page("page=0&pageSize=1&showImage=true");
    expect(shown.body.contents[0].image).toBe("image-of-delta");
  });

  it("answers 400 saying which query parameter is wrong", async () => {
    const cases: Array<[string, RegExp]> = [
      ["page=0&pageSize=1001", /^query parameter pageSize must be <= 1000$/],
      ["page=0&pageSize=0", /query parameter pageSize must be >= 1/],
      ["pageSize=10", /query parameter page is required/],
      ["page=-1&pageSize=10", /query parameter page must be >= 0/],
      ["page=x&pageSize=10", /query parameter page must be integer/],
      ["page=0&pageSize=10&sortOrder=up", /query parameter sortOrder must be one of: asc, desc/],
      ["page=0&pageSize=10&sortBy=password", /query parameter sortBy must be one of: name/],
      ["page=0&pageSize=10&colour=red", /query parameter colour is not supported/],
    ];
    for (const [query, message] of cases) {
      const answer = await f.api.call(`${TENANTS_PATH}?${query}`, { bearer: superToken });
      expect(answer.status, query).toBe(400);
      expect(answer.body.message).toMatch(message);
    }
  });
});

describe("getTenantsList", () => {
  it("returns the tenants for repeated ids, leaving unknown ids out", async () => {
    const answer = await f.api.call(
      `${TENANTS_PATH}/list?ids=${COKE_ID}&ids=${UNKNOWN_ID}&ids=${SPRITE_ID}`,
      { bearer: superToken },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.map((t: { name: string }) => t.name)).toEqual(["Coke", "Sprite"]);
    const single = await f.api.call(`${TENANTS_PATH}/list?ids=${COKE_ID}`, { bearer: superToken });
    expect(single.body).toHaveLength(1);
  });

  it("answers 400 when ids is missing (the platform requires it)", async () => {
    const none = await f.api.call(`${TENANTS_PATH}/list`, { bearer: superToken });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/query parameter ids is required/);
  });

  it("answers 400 for an id that is not a uuid", async () => {
    const answer = await f.api.call(`${TENANTS_PATH}/list?ids=${COKE_ID}&ids=nope`, {
      bearer: superToken,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/query parameter ids.1 must match format "uuid"/);
  });
});

describe("getTenant and getTenantByExternalId", () => {
  it("finds a tenant by id and by external id", async () => {
    const created = await createTenant({
      name: "Findable",
      externalId: "ext/with spaces",
      image: "img",
    });
    const byId = await f.api.call(`${TENANTS_PATH}/${created.id}?showImage=true`, {
      bearer: superToken,
    });
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: created.id, image: "img" });
    const byExternal = await f.api.call(
      `${TENANTS_PATH}/externalId/${encodeURIComponent("ext/with spaces")}`,
      { bearer: superToken },
    );
    expect(byExternal.status).toBe(200);
    expect(byExternal.body.id).toBe(created.id);
    expect(byExternal.body).not.toHaveProperty("image");
  });

  it("answers 404 for unknown ids and 400 for malformed ones", async () => {
    expect((await f.api.call(`${TENANTS_PATH}/${UNKNOWN_ID}`, { bearer: superToken })).status).toBe(
      404,
    );
    expect(
      (await f.api.call(`${TENANTS_PATH}/externalId/nope`, { bearer: superToken })).status,
    ).toBe(404);
    const bad = await f.api.call(`${TENANTS_PATH}/not-a-uuid`, { bearer: superToken });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('path parameter id must match format "uuid"');
    const badQuery = await f.api.call(`${TENANTS_PATH}/externalId/crm-000002?showImage=maybe`, {
      bearer: superToken,
    });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.message).toMatch(/query parameter showImage must be boolean/);
  });
});

describe("updateTenant", () => {
  it("updates the given fields, clears explicit nulls, keeps the rest, and moves modifiedOn", async () => {
    const created = await createTenant({
      name: "Before",
      description: "keep me",
      email: "a@example.com",
    });
    f.clock.now += 60_000;
    const answer = await f.api.call(`${TENANTS_PATH}/${created.id}`, {
      method: "PUT",
      bearer: superToken,
      json: { name: "After", email: null },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      name: "After",
      description: "keep me",
      email: null,
      createdOn: created.createdOn,
      modifiedOn: new Date(f.clock.now).toISOString(),
    });
  });

  it("answers 404 for an unknown tenant and 400 for a body without a name", async () => {
    const missing = await f.api.call(`${TENANTS_PATH}/${UNKNOWN_ID}`, {
      method: "PUT",
      bearer: superToken,
      json: { name: "x" },
    });
    expect(missing.status).toBe(404);
    const invalid = await f.api.call(`${TENANTS_PATH}/${COKE_ID}`, {
      method: "PUT",
      bearer: superToken,
      json: { description: "no name" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe("request body field name is required");
  });
});

describe("deleteTenant", () => {
  it("deletes a tenant (204, then 404) and updates its parent's child count", async () => {
    const parent = await createTenant({ name: "Delete parent" });
    const child = await createTenant({
      name: "Delete child",
      parentId: parent.id,
      externalId: "del-1",
    });
    const refused = await f.api.call(`${TENANTS_PATH}/${parent.id}`, {
      method: "DELETE",
      bearer: superToken,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("CONFLICT");
    const deleted = await f.api.call(`${TENANTS_PATH}/${child.id}`, {
      method: "DELETE",
      bearer: superToken,
    });
    expect(deleted.status).toBe(204);
    const again = await f.api.call(`${TENANTS_PATH}/${child.id}`, {
      method: "DELETE",
      bearer: superToken,
    });
    expect(again.status).toBe(404);
    const gone = await f.api.call(`${TENANTS_PATH}/externalId/del-1`, { bearer: superToken });
    expect(gone.status).toBe(404);
    const parentNow = await f.api.call(`${TENANTS_PATH}/${parent.id}`, { bearer: superToken });
    expect(parentNow.body.numberOfChildren).toBe(0);
    expect(
      (await f.api.call(`${TENANTS_PATH}/${parent.id}`, { method: "DELETE", bearer: superToken }))
        .status,
    ).toBe(204);
  });

  it("answers 409 for the seeded parent Coke while Sprite exists", async () => {
    const answer = await f.api.call(`${TENANTS_PATH}/${COKE_ID}`, {
      method: "DELETE",
      bearer: superToken,
    });
    expect(answer.status).toBe(409);
    const bad = await f.api.call(`${TENANTS_PATH}/nope`, { method: "DELETE", bearer: superToken });
    expect(bad.status).toBe(400);
  });
});

describe("a full store", () => {
  it("answers 409 SANDBOX_FULL to a create or a growing update, until tenants are deleted", async () => {
    const image = "i".repeat(40_000);
    const created: string[] = [];
    let full: Answer | undefined;
    for (let i = 0; i < 40 && !full; i += 1) {
      const answer = await f.api.call(TENANTS_PATH, {
        method: "POST",
        bearer: superToken,
        json: { name: `filler ${i}`, image },
      });
      if (answer.status === 201) created.push(answer.body.id);
      else full = answer;
    }
    expect(full?.status).toBe(409);
    expect(full?.body.code).toBe("SANDBOX_FULL");
    const grow = await f.api.call(`${TENANTS_PATH}/${COKE_ID}`, {
      method: "PUT",
      bearer: superToken,
      json: { name: "Coke", image },
    });
    expect(grow.status).toBe(409);
    for (const id of created) {
      await f.api.call(`${TENANTS_PATH}/${id}`, { method: "DELETE", bearer: superToken });
    }
    const again = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer: superToken,
      json: { name: "fits again", image },
    });
    expect(again.status).toBe(201);
    await f.api.call(`${TENANTS_PATH}/${again.body.id}`, { method: "DELETE", bearer: superToken });
  });
});

describe("spec coverage", () => {
  it("received every status the spec documents, for every operation", () => {
    const missing = f.api.documentedStatuses().filter((hit) => !f.api.hits.has(hit));
    expect(missing).toEqual([]);
    expect(f.api.hits.size).toBeGreaterThanOrEqual(40);
  });
});
