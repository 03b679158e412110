export {
  type CreateSessionOptions,
  createSession,
  type OperationRouteEntry,
  resolveSessionConfig,
  type Session,
} from "./create-session.js";
export { InvalidRequestError, UnknownOperationError } from "./errors.js";
export type { PaginateOptions } from "./paginate.js";
export type {
  CallArgs,
  CallInit,
  CallResult,
  PageItem,
  PaginateArgs,
  PaginateInit,
  UntypedInit,
  UntypedOperations,
} from "./types.js";
