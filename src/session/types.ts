import type {
  IsOperationRequestBodyOptional,
  OperationRequestBodyContent,
  RequiredKeysOf,
  SuccessResponse,
} from "openapi-typescript-helpers";

/**
 * Compile-time shapes of `session.call()`, read from openapi-typescript's `operations` type. A
 * spec known only at run time uses {@link UntypedOperations}: any operationId and any
 * parameters type-check, and the session checks them against the document instead.
 */

/** openapi-typescript's `operations` for a spec whose types were not generated. */
// biome-ignore lint/suspicious/noExplicitAny: an operation of an unknown spec has any shape
export type UntypedOperations = Record<string, any>;

type ParametersOf<Op> = Op extends { parameters: infer P } ? P : object;

type BodyOf<Op> = "requestBody" extends keyof Op
  ? IsOperationRequestBodyOptional<Op> extends true
    ? { body?: OperationRequestBodyContent<Op> }
    : { body: OperationRequestBodyContent<Op> }
  : { body?: never };

/**
 * What `call()` takes: the operation's `path`, `query`, `header` and `cookie` parameters as
 * openapi-typescript types them, its `body`, and an abort `signal`.
 */
export type CallInit<Op> = ParametersOf<Op> &
  BodyOf<Op> & {
    /** Cancels the request (and any wait for a retry). */
    signal?: AbortSignal;
  };

/** `call()`'s second argument: optional when the operation requires nothing. */
export type CallArgs<Op> =
  RequiredKeysOf<CallInit<Op>> extends never ? [init?: CallInit<Op>] : [init: CallInit<Op>];

/** The JSON body of the operation's 2xx answer (`undefined` for one without content). */
export type CallResult<Op> = Op extends { responses: Record<string | number, unknown> }
  ? SuccessResponse<Op["responses"], `${string}/json`>
  : unknown;
