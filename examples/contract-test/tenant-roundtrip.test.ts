// The user's contract test of tenant-roundtrip.ts: no platform, no network, and every request the
// script sends is checked against the MSX spec. Run it with `npx vitest run`.
//
// In your project: import { mockMsx, ... } from "passgrant/testing";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type MsxMock,
  mockMsx,
  serverError,
  tenantFixture,
  tenantsPageFixture,
} from "../../src/testing/index.js";
import { tenantRoundTrip } from "./tenant-roundtrip.js";

const config = {
  baseUrl: "https://msx.example.test",
  clientId: "my-client",
  clientSecret: "my-secret",
  username: "superuser",
  password: "my-password",
  tenantName: "Dandelion and Burdock",
};

let msx: MsxMock;

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  msx.verify(); // fails the test on any request that breaks the spec, or an expected call not made
});

describe("tenantRoundTrip", () => {
  it("logs in, creates, lists and deletes the tenant", async () => {
    const tenant = tenantFixture({ name: config.tenantName });
    msx = mockMsx(config.baseUrl, { client: config })
      .getAccessToken({ match: { body: { grant_type: "password", username: "superuser" } } })
      .createTenant({ match: { body: { name: config.tenantName } }, body: tenant })
      .getTenantsPage({ body: tenantsPageFixture([tenant]) })
      .deleteTenant({ match: { params: { id: tenant.id } } });

    const lines: string[] = [];
    await expect(tenantRoundTrip(config, (line) => lines.push(line))).resolves.toBe(tenant.id);
    expect(lines).toEqual([
      `Created Tenant: ${tenant.id}`,
      `${tenant.id}: ${config.tenantName}`,
      `Deleted Tenant: ${tenant.id}`,
    ]);
  });

  it("still deletes the tenant when listing fails", async () => {
    msx = mockMsx(config.baseUrl, { client: config }).getAccessToken().createTenant();
    serverError(msx, "getTenantsPage", { status: 500, retry: false });
    msx.deleteTenant();

    await expect(tenantRoundTrip(config, () => {})).rejects.toThrow(
      "listing tenants failed with HTTP 500",
    );
  });
});
