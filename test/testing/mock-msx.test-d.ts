import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/msx.js";
import type { InterceptedRequest, MsxMock } from "../../src/testing/index.js";

declare const msx: MsxMock;

describe("mockMsx's types flow from generated/msx.d.ts", () => {
  it("has one method per spec operation", () => {
    expectTypeOf(msx).toHaveProperty("getAccessToken");
    expectTypeOf(msx).toHaveProperty("getTenantByExternalId");
    // @ts-expect-error no such operation in the spec
    msx.listTenants();
  });

  it("types the reply body by status", () => {
    msx.createTenant({ body: { id: "x", name: "ok" } });
    msx.createTenant({ status: 400, body: { code: "BAD_REQUEST", message: "no" } });
    msx.deleteTenant({ status: 409, body: { code: "CONFLICT", message: "children" } });
    msx.getTenant({ status: 503, body: { code: "SERVICE_UNAVAILABLE", message: "down" } });
    // @ts-expect-error a Tenant needs a string name
    msx.createTenant({ body: { id: "x", name: 1 } });
    // @ts-expect-error 404 is not documented for createTenant
    msx.createTenant({ status: 404 });
    // @ts-expect-error the token endpoint's 400 body is an OAuthError, not an Error
    msx.getAccessToken({ status: 400, body: { code: "X", message: "y" } });
  });

  it("types matchers and request callbacks by operation", () => {
    msx.getTenant({ match: { params: { id: "x" } } });
    // @ts-expect-error getTenant has no externalId path parameter
    msx.getTenant({ match: { params: { externalId: "x" } } });
    msx.getAccessToken({ match: { body: { grant_type: "password" } } });
    msx.createTenant({
      body: (request) => {
        expectTypeOf(request).toEqualTypeOf<InterceptedRequest<"createTenant">>();
        expectTypeOf(request.body).toEqualTypeOf<
          components["schemas"]["TenantCreate"] | undefined
        >();
        return { id: "x", name: request.body?.name ?? "" };
      },
    });
  });
});
