import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import {
  COKE_ID,
  rawBasic,
  SPRITE_ID,
  TENANTS_PATH,
  TOKEN_PATH,
  UNKNOWN_ID,
} from "./support/sandbox-fixture.js";
import { SpecCheckedClient } from "./support/spec-checked-client.js";

// A platform confines a tenant admin to its own tenant subtree and binds a switch grant to the
// client that presents the token; the sandbox must be no looser, or scripts tested against it
// would meet their first 403 in production.
const PEPSI_ID = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03";
const SWITCH_TENANT = "urn:cisco:nfv:oauth:grant-type:switch-tenant";
const SWITCH_USER = "urn:cisco:nfv:oauth:grant-type:switch-user";
const MAIN = { clientId: "main-client", clientSecret: "main-secret" };
/** A client that may not use the password grant, only switch grants. */
const NO_PASSWORD = {
  clientId: "no-password-client",
  clientSecret: "other-secret",
  grantTypes: [SWITCH_TENANT, SWITCH_USER],
};

let sandbox: Sandbox;
let api: SpecCheckedClient;

beforeAll(async () => {
  sandbox = await startSandbox({
    clients: [MAIN, NO_PASSWORD],
    users: [
      { username: "superuser", password: "super-pw" },
      {
        username: "coke-admin",
        password: "admin-pw",
        roles: ["ROLE_TENANT_ADMIN"],
        tenantId: COKE_ID,
      },
      {
        username: "coke-viewer",
        password: "viewer-pw",
        roles: ["ROLE_TENANT_VIEWER"],
        tenantId: COKE_ID,
      },
    ],
  });
  api = await SpecCheckedClient.create(sandbox.url);
});
afterAll(() => sandbox.close());

function token(
  fields: Record<string, string>,
  client: { clientId: string; clientSecret: string } = MAIN,
) {
  return api.call(TOKEN_PATH, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: rawBasic(client.clientId, client.clientSecret),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

async function signIn(username: string, password: string): Promise<string> {
  const answer = await token({ grant_type: "password", username, password });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.access_token as string;
}

describe("a tenant admin acts only on its own tenant and the tenants below it", () => {
  it("updates and deletes inside its subtree, and gets 403 outside it", async () => {
    const admin = await signIn("coke-admin", "admin-pw");
    const update = (id: string) =>
      api.call(`${TENANTS_PATH}/${id}`, {
        method: "PUT",
        bearer: admin,
        json: { name: `n-${id}` },
      });
    expect((await update(COKE_ID)).status).toBe(200);
    expect((await update(SPRITE_ID)).status).toBe(200); // Coke's child
    const outside = await update(PEPSI_ID);
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ code: "FORBIDDEN" });
    expect(outside.body.message).toContain(`its own tenant (${COKE_ID})`);
    const deleted = await api.call(`${TENANTS_PATH}/${PEPSI_ID}`, {
      method: "DELETE",
      bearer: admin,
    });
    expect(deleted.status).toBe(403);
    expect(sandbox.tenants().find((t) => t.id === PEPSI_ID)?.name).toBe("Pepsi");
    expect((await update(UNKNOWN_ID)).status).toBe(404);
  });

  it("creates tenants only below its tenant, and deletes them", async () => {
    const admin = await signIn("coke-admin", "admin-pw");
    const create = (json: Record<string, unknown>) =>
      api.call(TENANTS_PATH, { method: "POST", bearer: admin, json });
    expect((await create({ name: "top level" })).status).toBe(403);
    expect((await create({ name: "under Pepsi", parentId: PEPSI_ID })).status).toBe(403);
    const grandchild = await create({ name: "under Sprite", parentId: SPRITE_ID });
    expect(grandchild.status).toBe(201);
    const removed = await api.call(`${TENANTS_PATH}/${grandchild.body.id}`, {
      method: "DELETE",
      bearer: admin,
    });
    expect(removed.status).toBe(204);
  });

  it("leaves super users unconfined", async () => {
    const superuser = await signIn("superuser", "super-pw");
    const answer = await api.call(`${TENANTS_PATH}/${PEPSI_ID}`, {
      method: "PUT",
      bearer: superuser,
      json: { name: "Pepsi" },
    });
    expect(answer.status).toBe(200);
  });
});

describe("a tenant admin or viewer sees only its own tenant and the tenants below it", () => {
  it("lists, lists by id and gets only those; others are 403 or left out", async () => {
    for (const [username, password] of [
      ["coke-viewer", "viewer-pw"],
      ["coke-admin", "admin-pw"],
    ] as const) {
      const bearer = await signIn(username, password);
      const page = await api.call(`${TENANTS_PATH}?page=0&pageSize=100`, { bearer });
      expect(page.status).toBe(200);
      const ids = page.body.contents.map((t: { id: string }) => t.id);
      expect(ids).toContain(COKE_ID);
      expect(ids).toContain(SPRITE_ID);
      expect(ids).not.toContain(PEPSI_ID);
      expect(page.body.totalItems).toBe(ids.length);
      const list = await api.call(`${TENANTS_PATH}/list?ids=${PEPSI_ID}&ids=${COKE_ID}`, {
        bearer,
      });
      expect(list.body.map((t: { id: string }) => t.id)).toEqual([COKE_ID]);
      expect((await api.call(`${TENANTS_PATH}/${SPRITE_ID}`, { bearer })).status).toBe(200);
      const pepsi = await api.call(`${TENANTS_PATH}/${PEPSI_ID}`, { bearer });
      expect(pepsi.status, username).toBe(403);
      const byExternalId = await api.call(`${TENANTS_PATH}/externalId/crm-000003`, { bearer });
      expect(byExternalId.status).toBe(403);
    }
    const superuser = await signIn("superuser", "super-pw");
    expect((await api.call(`${TENANTS_PATH}/${PEPSI_ID}`, { bearer: superuser })).status).toBe(200);
  });
});

describe("switch-tenant stays within the user's tenants", () => {
  it("lets a viewer or an admin switch to its tenant or below, and answers 403 access_denied elsewhere", async () => {
    for (const [username, password] of [
      ["coke-viewer", "viewer-pw"],
      ["coke-admin", "admin-pw"],
    ] as const) {
      const current = await signIn(username, password);
      const below = await token({
        grant_type: SWITCH_TENANT,
        access_token: current,
        tenant_id: SPRITE_ID,
      });
      expect(below.status, username).toBe(200);
      expect(below.body.tenantId).toBe(SPRITE_ID);
      // From the child, back to its own tenant.
      const back = await token({
        grant_type: SWITCH_TENANT,
        access_token: below.body.access_token,
        tenant_id: COKE_ID,
      });
      expect(back.status, username).toBe(200);
      const elsewhere = await token({
        grant_type: SWITCH_TENANT,
        access_token: current,
        tenant_name: "Pepsi",
      });
      expect(elsewhere.status, username).toBe(403);
      expect(elsewhere.body.error).toBe("access_denied");
    }
    const superuser = await signIn("superuser", "super-pw");
    const anywhere = await token({
      grant_type: SWITCH_TENANT,
      access_token: superuser,
      tenant_id: PEPSI_ID,
    });
    expect(anywhere.status).toBe(200);
  });
});

describe("switch grants take only a token issued to the presenting client", () => {
  it("answers invalid_grant when another client's token is presented", async () => {
    const superuser = await signIn("superuser", "super-pw");
    for (const fields of [
      { grant_type: SWITCH_USER, access_token: superuser, switch_username: "superuser" },
      { grant_type: SWITCH_TENANT, access_token: superuser, tenant_id: COKE_ID },
    ] as Record<string, string>[]) {
      const stolen = await token(fields, NO_PASSWORD);
      expect(stolen.status, fields.grant_type).toBe(400);
      expect(stolen.body.error).toBe("invalid_grant");
      expect(stolen.body.error_description).toContain("issued to another client");
      const own = await token(fields, MAIN);
      expect(own.status, fields.grant_type).toBe(200);
    }
  });
});
