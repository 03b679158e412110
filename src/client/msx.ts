import type { paths } from "../../generated/msx.js";
import { type ApiClientOptions, createApiClient } from "./create-api-client.js";
import type { StrictClient } from "./strict-client.js";

/** The typed client for the MSX security and tenant API in `openapi/msx.yaml`. */
export type MsxClient = StrictClient<paths, "application/json">;

/** Creates a typed MSX client; add `bearerAuth(provider)` to `middleware` for authenticated calls. */
export function createMsxClient(options: ApiClientOptions): MsxClient {
  return createApiClient<paths, "application/json">(options);
}

export {
  type MsxOperationId,
  msxOperations,
  type OperationRoute,
} from "../spec/msx-operations.js";
