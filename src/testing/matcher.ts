import { isDeepStrictEqual } from "node:util";
import type { RequestMatch } from "./expectation-types.js";
import type { UntypedOperations } from "./types.js";

/**
 * Which expectation a request belongs to: the base URL a mock covers, the request as the kit
 * describes it, and the `match` criteria of an expectation.
 */

/** A mock's base URL, split the way the matcher needs it. */
export interface BaseLocation {
  readonly origin: string;
  /** The path prefix, without a trailing slash ("" at the root). */
  readonly basePath: string;
  /** `origin + basePath`, for messages. */
  readonly display: string;
}

export function baseLocation(baseUrl: string | URL): BaseLocation {
  const base = new URL(String(baseUrl));
  const basePath = base.pathname.replace(/\/+$/, "");
  return { origin: base.origin, basePath, display: `${base.origin}${basePath}` };
}

/** The path (with query) below the base path, or undefined when the request is outside it. */
export function relativePath(base: BaseLocation, pathWithQuery: string): string | undefined {
  const { basePath } = base;
  if (basePath === "") return pathWithQuery;
  if (pathWithQuery === basePath || pathWithQuery.startsWith(`${basePath}/`)) {
    return pathWithQuery.slice(basePath.length) || "/";
  }
  if (pathWithQuery.startsWith(`${basePath}?`)) return pathWithQuery.slice(basePath.length);
  return undefined;
}

/** The request as `match.where` and reply functions see it (typed per operation by callers). */
export interface SeenRequest {
  operationId: string;
  method: string;
  path: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

export function seenRequest(
  operationId: string,
  method: string,
  relative: string,
  params: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): SeenRequest {
  const url = new URL(relative, "http://mock.invalid");
  return {
    operationId,
    method,
    path: url.pathname,
    params,
    query: url.searchParams,
    headers,
    body,
  };
}

/** Whether `request` meets every criterion of `match` (no criteria: it does). */
export function matches(
  match: RequestMatch<string, UntypedOperations> | undefined,
  request: SeenRequest,
): boolean {
  if (!match) return true;
  for (const [name, value] of Object.entries(match.params ?? {})) {
    if (request.params[name] !== value) return false;
  }
  for (const [name, value] of Object.entries(match.query ?? {})) {
    const wanted = typeof value === "string" ? [value] : [...value];
    if (!isDeepStrictEqual(request.query.getAll(name), wanted)) return false;
  }
  if (match.body) {
    const body = request.body as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null) return false;
    for (const [name, value] of Object.entries(match.body)) {
      if (!isDeepStrictEqual(body[name], value)) return false;
    }
  }
  return match.where ? match.where(request as never) : true;
}

/** Node's header record, lower-cased names, repeated values joined (RFC 9110 §5.3). */
export function stringHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return result;
}
