import type { components, operations } from "../../generated/msx.js";

/**
 * Types of the nock kit, computed from openapi-typescript's `operations` type of a spec. Every
 * type takes that `operations` type as `O`; it defaults to the bundled MSX spec's, so
 * `DocumentedStatus<"createTenant">` means the MSX operation.
 */

/** The MSX spec's operations, as openapi-typescript generated them. */
export type MsxOperations = operations;

/**
 * What the kit needs of an openapi-typescript `operations` type: operations by operationId
 * (an interface, so no index signature is required).
 */
export type OperationsLike = object;

/** The `operations` type of a mock made without generated types: any operationId, any body. */
export type UntypedOperations = {
  [operationId: string]: {
    parameters: { path: Record<string, string> };
    requestBody?: { content: Record<string, unknown> };
    responses: { [status: number]: { content: Record<string, unknown> } };
  };
};

/** Operation `K` of `O` (`never` when `O` has none by that id). */
type Op<O, K extends PropertyKey> = K extends keyof O ? O[K] : never;

/** The spec's schemas, by name. */
export type Schemas = components["schemas"];

/** The response statuses the spec documents for operation `K`. */
export type DocumentedStatus<K extends PropertyKey, O extends OperationsLike = MsxOperations> =
  Op<O, K> extends { responses: infer Responses } ? keyof Responses & number : never;

/**
 * The body the spec gives operation `K` for status `S`: its JSON body when it has one, else its
 * only media type's (`undefined` for a body-less reply).
 */
export type ResponseBody<
  K extends PropertyKey,
  S extends DocumentedStatus<K, O>,
  O extends OperationsLike = MsxOperations,
> =
  Op<O, K> extends { responses: infer Responses }
    ? S extends keyof Responses
      ? Responses[S] extends { content: infer Content }
        ? Content extends { "application/json": infer Body }
          ? Body
          : Content[keyof Content]
        : undefined
      : undefined
    : undefined;

/** The success status of operation `K` (the one 2xx status each operation documents). */
export type SuccessStatus<
  K extends PropertyKey,
  O extends OperationsLike = MsxOperations,
> = Extract<DocumentedStatus<K, O>, 200 | 201 | 202 | 203 | 204 | 205 | 206>;

/** The request body of operation `K`, whatever its media type (`undefined` if it takes none). */
export type RequestBody<K extends PropertyKey, O extends OperationsLike = MsxOperations> =
  Op<O, K> extends {
    requestBody?: infer Body;
  }
    ? [NonNullable<Body>] extends [never]
      ? undefined
      : NonNullable<Body> extends { content: infer Content }
        ? Content[keyof Content]
        : undefined
    : undefined;

/**
 * The path parameters of operation `K` (`{}` when its path has none), as the kit sees them: the
 * decoded text of each path segment, whatever type the spec gives the parameter.
 */
export type PathParams<K extends PropertyKey, O extends OperationsLike = MsxOperations> =
  Op<O, K> extends {
    parameters: { path: infer Params };
  }
    ? Params extends Record<string, unknown>
      ? { [Name in keyof Params]: string }
      : Record<string, never>
    : Record<string, never>;

/**
 * Statuses a real platform (or a proxy in front of it) sends although the spec does not document
 * them: rate limiting and gateway failures. The failure-story helpers use them.
 */
export type OffSpecStatus = 429 | 502 | 503 | 504;
