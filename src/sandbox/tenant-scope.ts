import { actsOnAllTenants } from "./roles.js";
import type { TenantStore } from "./store.js";
import type { Principal } from "./tokens.js";

/**
 * Whether `principal` may see or act on tenant `tenantId` (for a new tenant: on its parent;
 * `null` means a top-level tenant). Like a platform, the sandbox confines a tenant admin or viewer
 * to their own tenant and the tenants below it, by `parentId`; a user without a home tenant
 * reaches none. Super users and client-credentials tokens reach every tenant.
 */
export function withinScope(
  principal: Principal,
  tenantId: string | null,
  store: TenantStore,
): boolean {
  if (actsOnAllTenants(principal.roles)) return true;
  const home = principal.homeTenantId;
  return home !== undefined && tenantId !== null && store.isWithin(tenantId, home);
}

/** Says where the principal may act, for a 403's message. */
export function describeScope(principal: Principal): string {
  return principal.homeTenantId === undefined
    ? "this user has no home tenant, so it may act on no tenant"
    : `this user may act only on its own tenant (${principal.homeTenantId}) and the tenants below it`;
}
