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

/** `call()`'s init for an operation of a spec known only at run time: checked against it then. */
export interface UntypedInit {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  header?: Record<string, unknown>;
  cookie?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
}

type IsAny<T> = 0 extends 1 & T ? true : false;

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
export type CallInit<Op> = IsAny<Op> extends true ? UntypedInit : TypedCallInit<Op>;

type TypedCallInit<Op> = ParametersOf<Op> &
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

type QueryOf<Op> = ParametersOf<Op> extends { query?: infer Q } ? NonNullable<Q> : never;

/** `paginate()`'s parameters: `call()`'s, with the page number optional (it starts at 0). */
export type PaginateInit<Op> = IsAny<Op> extends true ? UntypedInit : TypedPaginateInit<Op>;

type TypedPaginateInit<Op> = Omit<ParametersOf<Op>, "query"> &
  ([QueryOf<Op>] extends [never]
    ? { query?: never }
    : { query?: Omit<QueryOf<Op>, "page"> & { page?: number } }) &
  BodyOf<Op> & {
    /** Cancels the page in flight; the iteration ends with the abort error. */
    signal?: AbortSignal;
  };

/** `paginate()`'s arguments: the init is optional when it requires nothing. */
export type PaginateArgs<Op, Options> =
  RequiredKeysOf<PaginateInit<Op>> extends never
    ? [init?: PaginateInit<Op>, options?: Options]
    : [init: PaginateInit<Op>, options?: Options];

/** The item type of a page: the array itself, or its `contents`, `items`, `data` or `results`. */
export type PageItem<Page> = Page extends readonly (infer Item)[]
  ? Item
  : Page extends { contents?: readonly (infer Item)[] }
    ? Item
    : Page extends { items?: readonly (infer Item)[] }
      ? Item
      : Page extends { data?: readonly (infer Item)[] }
        ? Item
        : Page extends { results?: readonly (infer Item)[] }
          ? Item
          : unknown;
