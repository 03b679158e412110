import { describe, expect, it } from "vitest";
import { loadDocument, type SpecDocument } from "../../src/spec/document.js";
import { msxOperations } from "../../src/spec/msx-operations.js";
import { loadMsxDocument } from "../../src/spec/msx-spec.js";
import { operationEntry, operationTable } from "../../src/spec/operations.js";
import { resolveRef } from "../../src/spec/resolve-ref.js";
import { routeRequest, routerFor } from "../../src/spec/router.js";

const petstore = loadDocument(new URL("../fixtures/third-party-api.yaml", import.meta.url));

describe("routeRequest (openapi-backend's router)", () => {
  const msx = routerFor(loadMsxDocument());

  it("prefers a literal path over a template", () => {
    expect(routeRequest(msx, "GET", "/idm/api/v8/tenants/list")).toMatchObject({
      kind: "operation",
      operationId: "getTenantsList",
    });
    expect(routeRequest(msx, "get", "/idm/api/v8/tenants/abc")).toEqual({
      kind: "operation",
      operationId: "getTenant",
      params: { id: "abc" },
    });
  });

  it("percent-decodes path parameters, and keeps malformed ones as sent", () => {
    expect(routeRequest(msx, "GET", "/idm/api/v8/tenants/externalId/a%2Fb%20c")).toMatchObject({
      params: { externalId: "a/b c" },
    });
    expect(routeRequest(msx, "GET", "/idm/api/v8/tenants/%ff")).toMatchObject({
      operationId: "getTenant",
      params: { id: "%ff" },
    });
  });

  it("tells a wrong method (with the allowed ones) from an unknown path", () => {
    expect(routeRequest(msx, "PATCH", "/idm/api/v8/tenants/abc")).toEqual({
      kind: "method-not-allowed",
      allow: ["GET", "PUT", "DELETE"],
    });
    expect(routeRequest(msx, "GET", "/idm/v2/token")).toEqual({
      kind: "method-not-allowed",
      allow: ["POST"],
    });
    expect(routeRequest(msx, "GET", "/nowhere")).toEqual({ kind: "not-found" });
  });

  it("routes every operation of the table to itself", () => {
    for (const [operationId, { method, path }] of Object.entries(msxOperations)) {
      const concrete = path.replace(/\{\w+\}/g, "x1");
      expect(routeRequest(msx, method, concrete)).toMatchObject({ operationId });
    }
  });
});

describe("operationTable", () => {
  it("reads the MSX token endpoint: Basic or credentials in the form, a required form body", () => {
    const token = operationEntry(loadMsxDocument(), "getAccessToken");
    expect(token).toMatchObject({
      method: "POST",
      path: "/idm/v2/token",
      requestMediaTypes: ["application/x-www-form-urlencoded"],
      bodyRequired: true,
      successStatus: 200,
    });
    expect(token.security).toEqual([[{ name: "BasicAuth", scheme: { kind: "basic" } }], []]);
    expect(operationEntry(loadMsxDocument(), "createTenant").successStatus).toBe(201);
    expect(operationEntry(loadMsxDocument(), "getTenant").security).toEqual([
      [{ name: "BearerAuth", scheme: { kind: "bearer" } }],
    ]);
  });

  it("has an entry for each MSX operation at the same place as msxOperations", () => {
    const table = operationTable(loadMsxDocument());
    expect(
      Object.fromEntries([...table].map(([id, e]) => [id, { method: e.method, path: e.path }])),
    ).toEqual(msxOperations);
  });

  it("reads apiKey, oauth2 and openIdConnect schemes, $ref'd bodies and global security", () => {
    const table = operationTable(petstore);
    expect(table.get("listPets")?.security).toEqual([
      [{ name: "keyInQuery", scheme: { kind: "apiKey", in: "query", name: "api_key" } }],
    ]);
    expect(table.get("addPet")).toMatchObject({
      security: [[{ name: "bearer", scheme: { kind: "bearer" } }]],
      requestMediaTypes: ["application/json"],
      bodyRequired: true,
      successStatus: 201,
    });
    expect(table.get("getPet")?.security).toEqual([
      [{ name: "keyInHeader", scheme: { kind: "apiKey", in: "header", name: "X-API-Key" } }],
      [{ name: "oauth", scheme: { kind: "bearer" } }],
    ]);
    expect(table.get("health")?.security).toEqual([]);
  });

  it("throws for an operation the document lacks", () => {
    expect(() => operationEntry(petstore, "nope")).toThrow(/no operation "nope"/);
  });
});

describe("loadDocument and resolveRef", () => {
  it("rejects what is not an OpenAPI 3 document with a ConfigError", () => {
    expect(() => loadDocument({ swagger: "2.0", paths: {} } as unknown as SpecDocument)).toThrow(
      /not an OpenAPI 3 document/,
    );
    expect(() => loadDocument("/nonexistent/spec.yaml")).toThrow(
      /cannot read the OpenAPI document/,
    );
  });

  it("follows local references, escapes included, and gives up on dangling ones", () => {
    const document = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {},
      components: { schemas: { "a/b": { $ref: "#/components/schemas/c" }, c: { type: "string" } } },
    } as unknown as SpecDocument;
    expect(resolveRef(document, { $ref: "#/components/schemas/a~1b" })).toEqual({ type: "string" });
    expect(resolveRef(document, { $ref: "#/components/schemas/missing" })).toBeUndefined();
    expect(resolveRef(document, { $ref: "other.yaml#/x" })).toBeUndefined();
  });
});
