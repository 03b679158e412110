/**
 * What each role may do in the sandbox. The platform's real permission model is richer; these
 * four roles are enough to reach every documented 403.
 */
export const ROLE_SUPER_USER = "ROLE_SUPER_USER";
/** Manages tenants (read and write) but cannot switch user. */
export const ROLE_TENANT_ADMIN = "ROLE_TENANT_ADMIN";
/** Reads tenants only. */
export const ROLE_TENANT_VIEWER = "ROLE_TENANT_VIEWER";
/** Carried by client-credentials tokens: a service account that manages tenants. */
export const ROLE_CLIENT = "ROLE_CLIENT";

export type Permission = "tenants:read" | "tenants:write" | "switch-user";

const GRANTS: Readonly<Record<string, readonly Permission[]>> = {
  [ROLE_SUPER_USER]: ["tenants:read", "tenants:write", "switch-user"],
  [ROLE_TENANT_ADMIN]: ["tenants:read", "tenants:write"],
  [ROLE_TENANT_VIEWER]: ["tenants:read"],
  [ROLE_CLIENT]: ["tenants:read", "tenants:write"],
};

export function hasPermission(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => GRANTS[role]?.includes(permission) ?? false);
}

/**
 * Whether the principal may act on every tenant (a super user, or a client-credentials service
 * account). Anyone else acts only within their own tenant and the tenants below it.
 */
export function actsOnAllTenants(roles: readonly string[]): boolean {
  return roles.includes(ROLE_SUPER_USER) || roles.includes(ROLE_CLIENT);
}
