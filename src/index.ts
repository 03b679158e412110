export type { components, operations, paths } from "../generated/msx.js";
export { type ApiClientOptions, createApiClient } from "./client/create-api-client.js";
export {
  createMsxClient,
  type MsxClient,
  type MsxOperationId,
  msxOperations,
  type OperationRoute,
} from "./client/msx.js";
export { ConfigError, PassgrantError, type PassgrantErrorCode } from "./errors.js";
