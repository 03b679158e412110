import type { operations, paths } from "../../generated/msx.js";

type HttpMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";

/** The spec's operation at `path` and `method`, or `never` if the spec has none there. */
type OperationAt<P extends keyof paths, M extends HttpMethod> = M extends keyof paths[P]
  ? NonNullable<paths[P][M]>
  : never;

/** An entry of {@link msxOperations}: where an operation lives, checked against the spec's types. */
export interface OperationRoute<P extends keyof paths = keyof paths> {
  readonly method: Uppercase<HttpMethod>;
  readonly path: P;
}

/**
 * Every operation of the MSX spec by `operationId`, with its method and path.
 *
 * The `satisfies` clause makes this table exhaustive at compile time: an operation added to the
 * spec (and so to `generated/`) without an entry here is a type error, and so is an entry whose
 * method and path do not lead to that same operation. The sandbox, the nock kit and the tests
 * walk this table instead of repeating paths.
 */
export const msxOperations = {
  getAccessToken: { method: "POST", path: "/idm/v2/token" },
  createTenant: { method: "POST", path: "/idm/api/v8/tenants" },
  getTenantsPage: { method: "GET", path: "/idm/api/v8/tenants" },
  getTenantsList: { method: "GET", path: "/idm/api/v8/tenants/list" },
  getTenant: { method: "GET", path: "/idm/api/v8/tenants/{id}" },
  getTenantByExternalId: { method: "GET", path: "/idm/api/v8/tenants/externalId/{externalId}" },
  updateTenant: { method: "PUT", path: "/idm/api/v8/tenants/{id}" },
  deleteTenant: { method: "DELETE", path: "/idm/api/v8/tenants/{id}" },
} as const satisfies { readonly [K in keyof operations]: OperationRoute };

/** The operation ids of the MSX spec. */
export type MsxOperationId = keyof typeof msxOperations;

// Compile-time proof that each route leads to the operation it is named after.
type RouteMatches<K extends MsxOperationId> =
  OperationAt<
    (typeof msxOperations)[K]["path"],
    Lowercase<(typeof msxOperations)[K]["method"]>
  > extends operations[K]
    ? operations[K] extends OperationAt<
        (typeof msxOperations)[K]["path"],
        Lowercase<(typeof msxOperations)[K]["method"]>
      >
      ? true
      : false
    : false;
type AllRoutesMatch = { [K in MsxOperationId]: RouteMatches<K> }[MsxOperationId];
const allRoutesMatch: AllRoutesMatch extends true ? true : never = true;
void allRoutesMatch;
