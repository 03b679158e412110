import type { components, operations } from "../../generated/msx.js";
import type { MsxOperationId } from "../spec/msx-operations.js";

/** The spec's schemas, by name. */
export type Schemas = components["schemas"];

/** The response statuses the spec documents for operation `K`. */
export type DocumentedStatus<K extends MsxOperationId> = keyof operations[K]["responses"] & number;

/** The JSON body the spec gives operation `K` for status `S` (`undefined` for a body-less reply). */
export type ResponseBody<
  K extends MsxOperationId,
  S extends DocumentedStatus<K>,
> = operations[K]["responses"][S] extends { content: { "application/json": infer Body } }
  ? Body
  : undefined;

/** The success status of operation `K` (the one 2xx status each operation documents). */
export type SuccessStatus<K extends MsxOperationId> = Extract<
  DocumentedStatus<K>,
  200 | 201 | 202 | 204
>;

/** The request body of operation `K`, whatever its media type (`undefined` if it takes none). */
export type RequestBody<K extends MsxOperationId> = operations[K] extends {
  requestBody: { content: infer Content };
}
  ? Content[keyof Content]
  : undefined;

/** The path parameters of operation `K` (`{}` when its path has none). */
export type PathParams<K extends MsxOperationId> = operations[K]["parameters"] extends {
  path: infer Params extends Record<string, string>;
}
  ? Params
  : Record<string, never>;

/**
 * Statuses a real platform (or a proxy in front of it) sends although the spec does not document
 * them: rate limiting and gateway failures. The failure-story helpers use them.
 */
export type OffSpecStatus = 429 | 502 | 503 | 504;
