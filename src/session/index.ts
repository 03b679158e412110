export {
  type CreateSessionOptions,
  createSession,
  type OperationRouteEntry,
  resolveSessionConfig,
  type Session,
} from "./create-session.js";
export { InvalidRequestError, UnknownOperationError } from "./errors.js";
export type { CallArgs, CallInit, CallResult, UntypedOperations } from "./types.js";
