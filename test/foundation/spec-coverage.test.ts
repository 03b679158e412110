import { describe, expect, it } from "vitest";
import { createMsxClient, msxOperations } from "../../src/client/msx.js";
import { loadMsxDocument } from "../../src/spec/msx-spec.js";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Every operation the spec file declares, read from the YAML itself (not from generated types). */
function specOperations(): Array<{ operationId: string; method: string; path: string }> {
  const document = loadMsxDocument();
  const found: Array<{ operationId: string; method: string; path: string }> = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, { operationId?: string } | undefined>)[method];
      if (!operation) continue;
      found.push({
        operationId: operation.operationId ?? `(no operationId: ${method} ${path})`,
        method: method.toUpperCase(),
        path,
      });
    }
  }
  return found;
}

/** A client whose fetch records each request and answers 200 with an empty JSON object. */
function recordingClient() {
  const seen: Request[] = [];
  const client = createMsxClient({
    baseUrl: "http://127.0.0.1:9",
    fetch: async (request) => {
      seen.push(request);
      return Response.json({}, { status: 200 });
    },
  });
  return { client, seen };
}

const sampleId = "07430f51-65f7-46f0-8306-0cce8cae147c";

describe("the typed client reaches every operation in openapi/msx.yaml", () => {
  const operations = specOperations();

  it("reads a non-trivial spec", () => {
    expect(operations.length).toBeGreaterThanOrEqual(8);
  });

  it("has a route in msxOperations for every spec operation, and nothing else", () => {
    const fromSpec = Object.fromEntries(
      operations.map((op) => [op.operationId, { method: op.method, path: op.path }]),
    );
    expect(msxOperations).toEqual(fromSpec);
  });

  // One real call per operation through the typed client: if the spec gains an operation the
  // client cannot express, the table test above fails; if a route stops leading to its path,
  // these fail.
  const calls = {
    getAccessToken: (c) =>
      c.POST("/idm/v2/token", {
        body: { grant_type: "password", username: "u", password: "p" },
        bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
    createTenant: (c) => c.POST("/idm/api/v8/tenants", { body: { name: "t" } }),
    getTenantsPage: (c) =>
      c.GET("/idm/api/v8/tenants", { params: { query: { page: 0, pageSize: 10 } } }),
    getTenantsList: (c) =>
      c.GET("/idm/api/v8/tenants/list", { params: { query: { ids: [sampleId, sampleId] } } }),
    getTenant: (c) => c.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: sampleId } } }),
    getTenantByExternalId: (c) =>
      c.GET("/idm/api/v8/tenants/externalId/{externalId}", {
        params: { path: { externalId: "crm-1" } },
      }),
    updateTenant: (c) =>
      c.PUT("/idm/api/v8/tenants/{id}", {
        params: { path: { id: sampleId } },
        body: { name: "n" },
      }),
    deleteTenant: (c) =>
      c.DELETE("/idm/api/v8/tenants/{id}", { params: { path: { id: sampleId } } }),
  } satisfies Record<
    keyof typeof msxOperations,
    (client: ReturnType<typeof createMsxClient>) => Promise<unknown>
  >;

  it.each(operations)("$operationId: $method $path", async ({ operationId, method, path }) => {
    const call = calls[operationId as keyof typeof calls];
    expect(call, `no client call for ${operationId}`).toBeDefined();
    const { client, seen } = recordingClient();
    await call(client);
    expect(seen).toHaveLength(1);
    const request = seen[0] as Request;
    expect(request.method).toBe(method);
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    expect(new URL(request.url).pathname).toMatch(pattern);
  });

  it("sends repeated ids for getTenantsList (collectionFormat multi)", async () => {
    const { client, seen } = recordingClient();
    await calls.getTenantsList(client);
    expect(new URL((seen[0] as Request).url).search).toBe(`?ids=${sampleId}&ids=${sampleId}`);
  });
});
