import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/msx.js";
import { createApiClient } from "../../src/client/create-api-client.js";
import { createMsxClient } from "../../src/client/msx.js";

// These tests run under `tsc` (vitest typecheck): each `@ts-expect-error` must meet a real error,
// or the unused directive itself fails the run.
const client = createMsxClient({ baseUrl: "http://127.0.0.1:9" });
const id = "07430f51-65f7-46f0-8306-0cce8cae147c";

describe("the MSX client's types come from the spec", () => {
  it("rejects a path the spec does not have", () => {
    // @ts-expect-error: no such path in openapi/msx.yaml
    void client.GET("/idm/api/v8/tenant", { params: { query: { page: 0, pageSize: 1 } } });
    // @ts-expect-error: the spec has no PATCH on tenants
    void client.PATCH("/idm/api/v8/tenants/{id}", { params: { path: { id } } });
  });

  it("rejects a body field the spec does not have, and a body missing a required field", () => {
    // A typo in an optional field, with every required field present: openapi-fetch alone lets
    // this through (see src/client/strict-client.ts).
    // @ts-expect-error: TenantCreate has `description`, not `descripton`
    void client.POST("/idm/api/v8/tenants", { body: { name: "t", descripton: "typo" } });
    // @ts-expect-error: TenantCreate requires `name`
    void client.POST("/idm/api/v8/tenants", { body: { description: "no name" } });
    // @ts-expect-error: `name` is a string
    void client.PUT("/idm/api/v8/tenants/{id}", { params: { path: { id } }, body: { name: 42 } });
  });

  it("rejects a missing required query parameter or a bad enum value", () => {
    // @ts-expect-error: pageSize is required
    void client.GET("/idm/api/v8/tenants", { params: { query: { page: 0 } } });
    // @ts-expect-error: params (with page and pageSize) are required
    void client.GET("/idm/api/v8/tenants");
    void client.GET("/idm/api/v8/tenants", {
      // @ts-expect-error: sortOrder is "asc" | "desc"
      params: { query: { page: 0, pageSize: 1, sortOrder: "up" } },
    });
  });

  it("rejects an unknown query parameter", () => {
    void client.GET("/idm/api/v8/tenants", {
      // @ts-expect-error: the parameter is `sortOrder`
      params: { query: { page: 0, pageSize: 1, sortOrdr: "asc" } },
    });
  });

  it("accepts well-formed calls", () => {
    void client.POST("/idm/api/v8/tenants", {
      body: { name: "t", description: "d", parentId: null, email: "a@b.c" },
    });
    void client.GET("/idm/api/v8/tenants", {
      params: { query: { page: 0, pageSize: 1000, sortOrder: "desc", showImage: true } },
    });
    void client.GET("/idm/api/v8/tenants/list", { params: { query: { ids: [id] } } });
  });

  it("rejects a missing path parameter", () => {
    // @ts-expect-error: {id} must be given
    void client.DELETE("/idm/api/v8/tenants/{id}", {});
  });

  it("types responses from the spec's models", async () => {
    const { data, error } = await client.GET("/idm/api/v8/tenants", {
      params: { query: { page: 0, pageSize: 100 } },
    });
    expectTypeOf(data).toEqualTypeOf<components["schemas"]["TenantsPage"] | undefined>();
    expectTypeOf(error).toEqualTypeOf<components["schemas"]["Error"] | undefined>();

    const created = await client.POST("/idm/api/v8/tenants", { body: { name: "t" } });
    expectTypeOf(created.data).toEqualTypeOf<components["schemas"]["Tenant"] | undefined>();
  });
});

describe("createApiClient is generic over any openapi-typescript paths", () => {
  interface PetPaths {
    "/pets/{petId}": {
      parameters: { query?: never; header?: never; path: { petId: number }; cookie?: never };
      get: {
        parameters: { query?: never; header?: never; path: { petId: number }; cookie?: never };
        requestBody?: never;
        responses: {
          200: {
            headers: { [name: string]: unknown };
            content: { "application/json": { name: string } };
          };
        };
      };
    };
  }

  it("types another platform's paths", async () => {
    const pets = createApiClient<PetPaths>({ baseUrl: "http://127.0.0.1:9" });
    const { data } = await pets.GET("/pets/{petId}", { params: { path: { petId: 1 } } });
    expectTypeOf(data).toEqualTypeOf<{ name: string } | undefined>();
    // @ts-expect-error: petId is a number
    void pets.GET("/pets/{petId}", { params: { path: { petId: "one" } } });
  });
});
