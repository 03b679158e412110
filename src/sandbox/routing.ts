import type { OpenAPIBackend } from "openapi-backend";
import { type Route, routeRequest } from "../spec/router.js";
import { apiProblem, type SandboxProblem } from "./errors.js";

/**
 * Where a request goes: its target split into path and query (RFC 9112 §3.2), and the spec
 * operation the path and method lead to, or the problem (400, 404, 405) that answers it instead.
 */

/** Where the request leads, by openapi-backend's router; a malformed path leads nowhere. */
export function routeOf(
  backend: OpenAPIBackend,
  method: string,
  pathname: string,
): MalformedPath | Route {
  if (decodedPath(pathname) === undefined) return { kind: "malformed-path" };
  return routeRequest(backend.router, method, pathname);
}

export interface MalformedPath {
  readonly kind: "malformed-path";
}

export function routeProblem(
  route: MalformedPath | Route,
  method: string,
  pathname: string,
): SandboxProblem {
  switch (route.kind) {
    case "malformed-path":
      return apiProblem(400, "the path has malformed percent-encoding");
    case "method-not-allowed": {
      const allow = route.allow.join(", ");
      return apiProblem(405, `${method} is not allowed on ${pathname}; use ${allow}`, {
        headers: { allow },
      });
    }
    default:
      return apiProblem(404, `no operation at ${pathname}; see openapi/msx.yaml`);
  }
}

/**
 * The percent-decoded path, or undefined when its percent-encoding is malformed (`%ff%fe`).
 * The result is used on purpose: a bundler may drop a `decodeURIComponent` call whose result is
 * unused (it treats it as pure), losing the throw that turns such a path into a 400.
 */
function decodedPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

/** Splits an origin-form request target; absolute-form is accepted too (RFC 9112 §3.2.2). */
export function splitTarget(target: string): { pathname: string; query: string } | undefined {
  if (!target.startsWith("/")) {
    try {
      const url = new URL(target);
      return { pathname: url.pathname, query: url.search.slice(1) };
    } catch {
      return undefined;
    }
  }
  const mark = target.indexOf("?");
  return mark < 0
    ? { pathname: target, query: "" }
    : { pathname: target.slice(0, mark), query: target.slice(mark + 1) };
}

/** Query parameters as form-style name => value(s); repeated names (`ids=a&ids=b`) become arrays. */
export function parseQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const existing = result[name];
    if (existing === undefined) result[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[name] = [existing, value];
  }
  return result;
}
