/**
 * openapi/msx.yaml against the platform's wire facts (/work/shared/msx-api-facts.md, from Cisco's
 * generated MSX SDKs), read from the YAML itself: every token form field, every documented status
 * of every operation, the query parameters and the models with their constraints. And every
 * example in the spec validates against its own schema.
 */
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { createMsxBackend } from "../../src/spec/msx-spec.js";

type Schema = {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  format?: string;
  example?: unknown;
};
type Media = { schema: Schema; example?: unknown; examples?: Record<string, { value: unknown }> };
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
  explode?: boolean;
};
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media>; headers?: object }>;
};

// Dereferenced by openapi-backend, so every $ref is resolved.
const backend = await createMsxBackend();
const document = backend.definition as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const operations = new Map<string, Operation & { path: string }>();
for (const [path, item] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (method === "parameters") continue;
    operations.set(operation.operationId, { ...operation, path });
  }
}
const op = (id: string) => {
  const found = operations.get(id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};
const schemas = document.components.schemas;
const props = (name: string) => Object.keys(schemas[name]?.properties ?? {}).sort();
const param = (id: string, name: string) => {
  const item = document.paths[op(id).path] as unknown as { parameters?: Parameter[] };
  return [...(item.parameters ?? []), ...(op(id).parameters ?? [])].find((p) => p.name === name);
};

describe("the token endpoint", () => {
  it("takes exactly the platform's form fields, plus RFC 6749's refresh_token, client_id and client_secret", () => {
    const form = op("getAccessToken").requestBody?.content["application/x-www-form-urlencoded"];
    expect(Object.keys(form?.schema.properties ?? {}).sort()).toEqual(
      [
        "grant_type",
        "username",
        "password",
        "access_token",
        "switch_username",
        "tenant_id",
        "scope",
        "nonce",
        "tenant_name",
        "refresh_token", // RFC 6749 §6
        "client_id", // RFC 6749 §2.3.1 client_secret_post, §2.1 public clients
        "client_secret",
      ].sort(),
    );
    expect(form?.schema.required).toEqual(["grant_type"]);
    for (const field of Object.values(form?.schema.properties ?? {})) {
      expect(field.type).toBe("string");
    }
  });

  it("authenticates the client with HTTP Basic (the platform's way) or in the form body", () => {
    const operation = op("getAccessToken") as Operation & { security?: unknown };
    // `{}`: credentials in the form (client_secret_post, or a public client's client_id), which
    // OpenAPI 3.0 has no scheme for; the embedded sandbox takes it, beyond the platform's SDKs.
    expect(operation.security).toEqual([{ BasicAuth: [] }, {}]);
    const schemes = (backend.definition as { components?: { securitySchemes?: unknown } })
      .components?.securitySchemes;
    expect(schemes).toMatchObject({
      BasicAuth: { type: "http", scheme: "basic" },
      BearerAuth: { type: "http", scheme: "bearer" },
      // Where the bearer tokens come from, for clients reading the spec (createSession does).
      PasswordGrant: {
        type: "oauth2",
        flows: { password: { tokenUrl: "/idm/v2/token", scopes: {} } },
      },
    });
  });

  it("answers the platform's AccessToken, open to more members", () => {
    expect(props("AccessToken")).toEqual(
      [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
        "firstName",
        "lastName",
        "roles",
        "id_token",
        "tenantId",
        "email",
        "username",
        "expiry",
        "iat",
      ].sort(),
    );
    const token = schemas.AccessToken as Schema & { additionalProperties?: unknown };
    expect(token.additionalProperties).toBe(true);
    expect(token.properties?.expires_in).toMatchObject({ type: "integer" });
    expect(token.properties?.roles).toMatchObject({ type: "array", items: { type: "string" } });
    expect(token.properties?.expiry).toMatchObject({ type: "string", nullable: true });
    expect(token.properties?.iat).toMatchObject({ type: "string", nullable: true });
  });
});

describe("the tenant operations", () => {
  const expected: Record<string, { method: string; path: string; statuses: string[] }> = {
    // 409 on create and update: the sandbox's store limits (beyond the platform's SDKs).
    createTenant: { method: "post", path: "/idm/api/v8/tenants", statuses: ["201", "409"] },
    getTenantsPage: { method: "get", path: "/idm/api/v8/tenants", statuses: ["200"] },
    getTenantsList: { method: "get", path: "/idm/api/v8/tenants/list", statuses: ["200"] },
    getTenant: { method: "get", path: "/idm/api/v8/tenants/{id}", statuses: ["200", "404"] },
    getTenantByExternalId: {
      method: "get",
      path: "/idm/api/v8/tenants/externalId/{externalId}",
      statuses: ["200", "404"],
    },
    // 404 on update is in the Java MSX SDK's TenantsApi, though not in the shared facts' list.
    updateTenant: {
      method: "put",
      path: "/idm/api/v8/tenants/{id}",
      statuses: ["200", "404", "409"],
    },
    deleteTenant: {
      method: "delete",
      path: "/idm/api/v8/tenants/{id}",
      statuses: ["204", "404", "409"],
    },
  };

  it.each(Object.entries(expected))("%s documents its success and error statuses", (id, want) => {
    const operation = op(id);
    expect(operation.path).toBe(want.path);
    expect(document.paths[want.path]?.[want.method]?.operationId).toBe(id);
    expect(Object.keys(operation.responses).sort()).toEqual(
      [...want.statuses, "400", "401", "403", "500"].sort(),
    );
    for (const [status, response] of Object.entries(operation.responses)) {
      if (status.startsWith("2")) continue;
      expect(response.content?.["application/json"]?.schema.required).toEqual(["code", "message"]);
    }
    expect(operation.responses["401"]?.headers).toHaveProperty("WWW-Authenticate");
  });

  it("pages with required page >= 0 and pageSize 1..1000, sortOrder asc|desc, showImage false", () => {
    expect(param("getTenantsPage", "page")).toMatchObject({
      in: "query",
      required: true,
      schema: { type: "integer", minimum: 0 },
    });
    expect(param("getTenantsPage", "pageSize")).toMatchObject({
      in: "query",
      required: true,
      schema: { type: "integer", minimum: 1, maximum: 1000 },
    });
    expect(param("getTenantsPage", "sortOrder")?.schema).toMatchObject({
      enum: ["asc", "desc"],
      default: "asc",
    });
    for (const name of ["parentId", "sortBy", "showImage"]) {
      expect(param("getTenantsPage", name)?.required ?? false).toBe(false);
    }
    for (const id of ["getTenantsPage", "getTenantsList", "getTenant", "getTenantByExternalId"]) {
      expect(param(id, "showImage")?.schema).toMatchObject({ type: "boolean", default: false });
    }
  });

  it("lists by required, repeated ids (collectionFormat multi)", () => {
    expect(param("getTenantsList", "ids")).toMatchObject({
      in: "query",
      required: true,
      explode: true,
      schema: { type: "array", items: { type: "string", format: "uuid" } },
    });
  });
});

describe("the models", () => {
  const optionalNullable = (model: string, fields: Record<string, number | undefined>) => {
    for (const [field, maxLength] of Object.entries(fields)) {
      const schema = schemas[model]?.properties?.[field];
      expect(schema, `${model}.${field}`).toMatchObject({ type: "string", nullable: true });
      expect(schema?.maxLength, `${model}.${field} maxLength`).toBe(maxLength);
    }
  };

  it("TenantCreate: name 1..128 required; the rest optional and nullable, with their limits", () => {
    expect(props("TenantCreate")).toEqual(
      ["name", "parentId", "externalId", "description", "url", "image", "email"].sort(),
    );
    expect(schemas.TenantCreate?.required).toEqual(["name"]);
    expect(schemas.TenantCreate?.properties?.name).toMatchObject({ minLength: 1, maxLength: 128 });
    optionalNullable("TenantCreate", {
      parentId: undefined,
      externalId: undefined,
      description: 256,
      url: undefined,
      image: 40000,
      email: 254,
    });
  });

  it("TenantUpdate: name required, no parentId or externalId", () => {
    expect(props("TenantUpdate")).toEqual(["name", "description", "url", "image", "email"].sort());
    expect(schemas.TenantUpdate?.required).toEqual(["name"]);
    expect(schemas.TenantUpdate?.properties?.name).toMatchObject({ minLength: 1, maxLength: 128 });
    optionalNullable("TenantUpdate", {
      description: 256,
      url: undefined,
      image: 40000,
      email: 254,
    });
  });

  it("Tenant: TenantCreate's fields plus the read-only server fields", () => {
    expect(props("Tenant")).toEqual(
      [
        ...props("TenantCreate"),
        "id",
        "createdOn",
        "modifiedOn",
        "suspended",
        "numberOfChildren",
      ].sort(),
    );
    const tenant = schemas.Tenant?.properties ?? {};
    expect(tenant.id).toMatchObject({ type: "string", format: "uuid", readOnly: true });
    expect(tenant.createdOn).toMatchObject({ format: "date-time", readOnly: true });
    expect(tenant.modifiedOn).toMatchObject({ format: "date-time", readOnly: true });
    expect(tenant.suspended).toMatchObject({ type: "boolean", nullable: true, readOnly: true });
    expect(tenant.numberOfChildren).toMatchObject({
      type: "integer",
      nullable: true,
      readOnly: true,
    });
  });

  it("TenantsPage and Error", () => {
    expect(props("TenantsPage")).toEqual(
      [
        "page",
        "pageSize",
        "totalItems",
        "hasNext",
        "hasPrevious",
        "sortBy",
        "sortOrder",
        "contents",
      ].sort(),
    );
    expect(props("Error")).toEqual(["code", "message"]);
  });
});

describe("the spec's examples", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const examples: Array<{ where: string; schema: Schema; value: unknown }> = [];
  const collectMedia = (where: string, content: Record<string, Media> | undefined) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      if (media.example !== undefined) {
        examples.push({ where: `${where} ${type}`, schema: media.schema, value: media.example });
      }
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        examples.push({
          where: `${where} ${type} ${name}`,
          schema: media.schema,
          value: example.value,
        });
      }
    }
  };
  for (const operation of operations.values()) {
    collectMedia(`${operation.operationId} request`, operation.requestBody?.content);
    for (const [status, response] of Object.entries(operation.responses)) {
      collectMedia(`${operation.operationId} ${status}`, response.content);
    }
  }
  for (const [name, schema] of Object.entries(schemas)) {
    for (const [field, property] of Object.entries(schema.properties ?? {})) {
      if (property.example !== undefined) {
        examples.push({ where: `${name}.${field}`, schema: property, value: property.example });
      }
    }
  }

  it("are many", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(examples)("$where validates against its schema", ({ schema, value }) => {
    const validate = ajv.compile(schema);
    expect(validate(value), ajv.errorsText(validate.errors)).toBe(true);
  });
});
