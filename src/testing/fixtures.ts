import type { Schemas } from "./types.js";

/**
 * Builders for spec-valid models. Every field a builder fills in is valid against
 * `openapi/msx.yaml`; overrides are typed from `generated/msx.d.ts`, so a misspelt or mistyped
 * field is a compile error. Ids are deterministic (a counter, formatted as a v4-shaped UUID), so a
 * failing test prints the same ids on every run.
 */

let sequence = 0;

/** A fresh, deterministic UUID (`00000000-0000-4000-8000-000000000001`, ...). */
export function fixtureId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, "0")}`;
}

/** A fresh opaque token: JWT-shaped, so redaction that looks for JWTs is exercised too. */
export function fixtureToken(kind = "access"): string {
  sequence += 1;
  const payload = Buffer.from(JSON.stringify({ sub: "superuser", kind, n: sequence })).toString(
    "base64url",
  );
  return `eyJhbGciOiJSUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
}

const fixedInstant = "2024-01-02T03:04:05.000Z";

/** A `Tenant` with an id, a name and timestamps; `overrides` win. */
export function tenantFixture(overrides: Partial<Schemas["Tenant"]> = {}): Schemas["Tenant"] {
  const id = overrides.id ?? fixtureId();
  return {
    id,
    name: `tenant-${id.slice(-6)}`,
    parentId: null,
    externalId: null,
    description: null,
    url: null,
    email: null,
    createdOn: fixedInstant,
    modifiedOn: fixedInstant,
    suspended: false,
    numberOfChildren: 0,
    ...overrides,
  };
}

/** A `TenantsPage` holding `tenants`; paging fields are derived from them unless overridden. */
export function tenantsPageFixture(
  tenants: Schemas["Tenant"][] = [tenantFixture(), tenantFixture()],
  overrides: Partial<Schemas["TenantsPage"]> = {},
): Schemas["TenantsPage"] {
  const page = overrides.page ?? 0;
  const pageSize = overrides.pageSize ?? Math.max(tenants.length, 1);
  const totalItems = overrides.totalItems ?? page * pageSize + tenants.length;
  return {
    page,
    pageSize,
    totalItems,
    hasNext: (page + 1) * pageSize < totalItems,
    hasPrevious: page > 0,
    sortBy: "name",
    sortOrder: "asc",
    contents: tenants,
    ...overrides,
  };
}

/**
 * A token endpoint success body (`AccessToken`) shaped like the platform's: a fresh access and
 * refresh token, `token_type` `bearer`, `expires_in` 9000 (the guide's default validity).
 */
export function tokenResponseFixture(
  overrides: Partial<Schemas["AccessToken"]> = {},
): Schemas["AccessToken"] {
  return {
    access_token: fixtureToken("access"),
    token_type: "bearer",
    expires_in: 9000,
    refresh_token: fixtureToken("refresh"),
    scope: "read write openid profile email tenant_hierarchy token_details",
    firstName: "Super",
    lastName: "User",
    roles: ["ROLE_SUPER_USER"],
    tenantId: "1817ec68-e182-4865-8d83-fc13035b4811",
    email: "superuser@example.com",
    username: "superuser",
    expiry: null,
    iat: null,
    ...overrides,
  };
}

/** An RFC 6749 §5.2 error body, e.g. `oauthErrorFixture("invalid_grant", "Bad credentials")`. */
export function oauthErrorFixture(
  error = "invalid_grant",
  description?: string,
  overrides: Partial<Schemas["OAuthError"]> = {},
): Schemas["OAuthError"] {
  return {
    error,
    ...(description === undefined ? {} : { error_description: description }),
    ...overrides,
  };
}

const errorMessages: Record<number, [code: string, message: string]> = {
  400: ["BAD_REQUEST", "The request was malformed"],
  401: ["UNAUTHORIZED", "Full authentication is required to access this resource"],
  403: ["FORBIDDEN", "Access is denied"],
  404: ["NOT_FOUND", "Tenant not found"],
  409: ["CONFLICT", "Tenant has child tenants"],
  429: ["TOO_MANY_REQUESTS", "Rate limit exceeded"],
  500: ["INTERNAL_ERROR", "Internal server error"],
  502: ["BAD_GATEWAY", "Bad gateway"],
  503: ["SERVICE_UNAVAILABLE", "Service unavailable"],
  504: ["GATEWAY_TIMEOUT", "Gateway timeout"],
};

/** The platform's `Error` body for an HTTP status, with the platform's usual code and message. */
export function errorFixture(
  status = 500,
  overrides: Partial<Schemas["Error"]> = {},
): Schemas["Error"] {
  const [code, message] = errorMessages[status] ?? ["ERROR", `HTTP ${status}`];
  return { code, message, ...overrides };
}
