import type { Context } from "openapi-backend";
import type { components, operations } from "../../generated/msx.js";
import { apiProblem, type SandboxProblem } from "./errors.js";
import type { SandboxHandler, SandboxResult } from "./exchange.js";
import { actsOnAllTenants, hasPermission, type Permission } from "./roles.js";
import {
  type LimitReason,
  SORTABLE_FIELDS,
  type SortField,
  type StoreLimits,
  type TenantStore,
} from "./store.js";
import { describeScope, withinScope } from "./tenant-scope.js";
import type { Principal } from "./tokens.js";

type Tenant = components["schemas"]["Tenant"];
type TenantsPage = components["schemas"]["TenantsPage"];
type TenantOperationId = Exclude<keyof operations, "getAccessToken">;
type PathOf<K extends TenantOperationId> = operations[K]["parameters"]["path"];
type QueryOf<K extends TenantOperationId> = NonNullable<operations[K]["parameters"]["query"]>;

/**
 * Handlers for the seven tenant operations. openapi-backend has already routed the request,
 * checked the bearer token (the principal is `context.security.BearerAuth`) and validated the
 * parameters and body against the spec, coercing query values to their schema types, so what is
 * left here is the business rules.
 */
export function tenantHandlers(store: TenantStore): Record<TenantOperationId, SandboxHandler> {
  return {
    getTenantsPage(context) {
      const principal = authorize(context, "tenants:read");
      const query = context.request.query as QueryOf<"getTenantsPage">;
      const sortBy = sortField(query.sortBy);
      const sortOrder = query.sortOrder ?? "asc";
      const { page, pageSize } = query;
      const { contents, totalItems } = store.page({
        page,
        pageSize,
        sortOrder,
        ...(sortBy !== undefined && { sortBy }),
        ...(query.parentId !== undefined && { parentId: query.parentId }),
        ...(!actsOnAllTenants(principal.roles) && {
          visible: (id: string) => withinScope(principal, id, store),
        }),
      });
      const body: TenantsPage = {
        page,
        pageSize,
        totalItems,
        hasNext: (page + 1) * pageSize < totalItems,
        hasPrevious: page > 0,
        ...(sortBy !== undefined && { sortBy }),
        sortOrder,
        contents: contents.map((tenant) => view(tenant, query.showImage)),
      };
      return ok(200, body);
    },

    getTenantsList(context) {
      const principal = authorize(context, "tenants:read");
      const query = context.request.query as QueryOf<"getTenantsList">;
      // Tenants outside the caller's scope are left out, like unknown ids.
      const tenants = store.list(query.ids).filter((t) => withinScope(principal, t.id, store));
      return ok(
        200,
        tenants.map((tenant) => view(tenant, query.showImage)),
      );
    },

    getTenant(context) {
      const principal = authorize(context, "tenants:read");
      const { id } = context.request.params as PathOf<"getTenant">;
      const query = context.request.query as QueryOf<"getTenant">;
      checkWithinScope(principal, id, store);
      return ok(200, view(found(store.get(id), `no tenant has id ${id}`), query.showImage));
    },

    getTenantByExternalId(context) {
      const principal = authorize(context, "tenants:read");
      const { externalId } = context.request.params as PathOf<"getTenantByExternalId">;
      const query = context.request.query as QueryOf<"getTenantByExternalId">;
      const tenant = found(store.getByExternalId(externalId), "no tenant has that externalId");
      checkWithinScope(principal, tenant.id, store);
      return ok(200, view(tenant, query.showImage));
    },

    createTenant(context) {
      const principal = authorize(context, "tenants:write");
      const input = context.request.requestBody as components["schemas"]["TenantCreate"];
      const parentId = input.parentId ?? null;
      if (!withinScope(principal, parentId, store) && (parentId === null || store.get(parentId))) {
        throw apiProblem(
          403,
          `Access is denied: ${parentId === null ? "only a super user may create a top-level tenant" : `tenant ${parentId} is outside this user's tenants`}; ${describeScope(principal)}`,
        );
      }
      const result = store.create(input);
      if (!result.ok) throw writeProblem(result.reason, store.limits, input);
      return ok(201, view(result.tenant, true));
    },

    updateTenant(context) {
      const principal = authorize(context, "tenants:write");
      const { id } = context.request.params as PathOf<"updateTenant">;
      checkWithinScope(principal, id, store);
      const input = context.request.requestBody as components["schemas"]["TenantUpdate"];
      const result = store.update(id, input);
      if (!result.ok) throw writeProblem(result.reason, store.limits, { id, ...input });
      return ok(200, view(result.tenant, true));
    },

    deleteTenant(context) {
      const principal = authorize(context, "tenants:write");
      const { id } = context.request.params as PathOf<"deleteTenant">;
      checkWithinScope(principal, id, store);
      const outcome = store.delete(id);
      if (outcome === "not-found") throw apiProblem(404, `no tenant has id ${id}`);
      if (outcome === "has-children") {
        throw apiProblem(409, `tenant ${id} has child tenants; delete them first`);
      }
      return { status: 204 };
    },
  };
}

function authorize(context: Context, permission: Permission): Principal {
  const principal = context.security.BearerAuth as Principal;
  if (!hasPermission(principal.roles, permission)) {
    throw apiProblem(
      403,
      `Access is denied: ${permission} needs one of the roles ROLE_SUPER_USER, ROLE_TENANT_ADMIN${permission === "tenants:read" ? ", ROLE_TENANT_VIEWER" : ""} or ROLE_CLIENT`,
    );
  }
  return principal;
}

/** 403 when an existing tenant is outside the principal's tenants (an unknown id stays a 404). */
function checkWithinScope(principal: Principal, id: string, store: TenantStore): void {
  if (store.get(id) && !withinScope(principal, id, store)) {
    throw apiProblem(
      403,
      `Access is denied: tenant ${id} is outside this user's tenants; ${describeScope(principal)}`,
    );
  }
}

/**
 * The answer when a write would pass one of the store's limits: 400 for a tenant too large by
 * itself (like any other invalid field), 409 when the store is full (the request is fine, the
 * store's state refuses it, as a platform's quota would).
 */
/** The answer to a create or update the store refused, for every reason it can give. */
function writeProblem(
  reason: "parent-not-found" | "external-id-taken" | "not-found" | LimitReason,
  limits: StoreLimits,
  input: { id?: string; parentId?: string | null },
): SandboxProblem {
  switch (reason) {
    case "parent-not-found":
      return apiProblem(400, `parentId ${input.parentId} names no existing tenant`);
    case "external-id-taken":
      return apiProblem(
        400,
        "externalId is already used by another tenant; external ids are unique",
      );
    case "not-found":
      return apiProblem(404, `no tenant has id ${input.id}`);
    default:
      return limitProblem(reason, limits);
  }
}

function limitProblem(reason: LimitReason, limits: StoreLimits): SandboxProblem {
  switch (reason) {
    case "tenant-too-large":
      return apiProblem(
        400,
        `the tenant would take more than the sandbox's limit of ${limits.maxTenantBytes} bytes (as JSON); send smaller fields, or start the sandbox with a higher maxTenantBytes`,
      );
    case "too-many-tenants":
      return apiProblem(
        409,
        `the sandbox holds its maximum of ${limits.maxTenants} tenants; delete some, or start the sandbox with a higher maxTenants`,
        { code: "SANDBOX_FULL" },
      );
    case "store-full":
      return apiProblem(
        409,
        `the sandbox's tenants would take more than its limit of ${limits.maxStoreBytes} bytes (as JSON); delete some tenants or images, or start the sandbox with a higher maxStoreBytes`,
        { code: "SANDBOX_FULL" },
      );
  }
}

function sortField(sortBy: string | undefined): SortField | undefined {
  if (sortBy === undefined) return undefined;
  if ((SORTABLE_FIELDS as readonly string[]).includes(sortBy)) return sortBy as SortField;
  throw apiProblem(400, `query parameter sortBy must be one of: ${SORTABLE_FIELDS.join(", ")}`);
}

function found(tenant: Tenant | undefined, message: string): Tenant {
  if (!tenant) throw apiProblem(404, message);
  return tenant;
}

/** The tenant as the API shows it: without `image` unless asked (`showImage` defaults to false). */
function view(tenant: Tenant, showImage: boolean | undefined): Tenant {
  if (showImage) return tenant;
  const { image: _omitted, ...rest } = tenant;
  return rest;
}

function ok(status: number, body: unknown): SandboxResult {
  return { status, body };
}
