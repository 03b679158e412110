import { dropUndefined } from "../drop-undefined.js";
import type { MsxOperationId } from "../spec/msx-operations.js";
import { loadMsxDocument } from "../spec/msx-spec.js";
import { operationEntry } from "../spec/operations.js";
import { tenantFixture, tenantsPageFixture, tokenResponseFixture } from "./fixtures.js";
import type { Schemas } from "./types.js";

interface DefaultReplyRequest {
  params: unknown;
  query: URLSearchParams;
  body: unknown;
}

/**
 * The reply an expectation sends when the test gives no body: the operation's success status (read
 * from the spec) and a fixture shaped by the request, so that a created tenant carries the name
 * that was sent, a fetched tenant the id that was asked for, and a page the requested paging.
 */
export function defaultReply(
  operationId: MsxOperationId,
  request: DefaultReplyRequest,
): { status: number; body: unknown } {
  const status = successStatus(operationId);
  const params = request.params as Record<string, string>;
  const query = request.query;
  switch (operationId) {
    case "getAccessToken": {
      const form = request.body as Partial<Schemas["TokenRequest"]> | undefined;
      return {
        status,
        body: tokenResponseFixture(form?.username === undefined ? {} : { username: form.username }),
      };
    }
    case "createTenant":
      return { status, body: tenantFixture(request.body as Schemas["TenantCreate"]) };
    case "updateTenant":
      return {
        status,
        body: tenantFixture(
          dropUndefined({ ...(request.body as Schemas["TenantUpdate"]), id: params.id }),
        ),
      };
    case "getTenant":
      return { status, body: tenantFixture(dropUndefined({ id: params.id })) };
    case "getTenantByExternalId":
      return { status, body: tenantFixture({ externalId: params.externalId ?? null }) };
    case "getTenantsList":
      return { status, body: query.getAll("ids").map((id) => tenantFixture({ id })) };
    case "getTenantsPage": {
      const page = Number(query.get("page") ?? 0);
      const pageSize = Number(query.get("pageSize") ?? 100);
      const sortOrder = query.get("sortOrder") === "desc" ? "desc" : "asc";
      return {
        status,
        body: tenantsPageFixture([tenantFixture(), tenantFixture()], {
          page,
          pageSize,
          sortOrder,
          sortBy: query.get("sortBy") ?? "name",
        }),
      };
    }
    case "deleteTenant":
      return { status, body: undefined };
  }
}

/** The one 2xx status the spec documents for an operation. */
export function successStatus(operationId: MsxOperationId): number {
  const status = operationEntry(loadMsxDocument(), operationId).successStatus;
  if (status === undefined) throw new Error(`passgrant/testing: no 2xx reply for ${operationId}`);
  return status;
}
