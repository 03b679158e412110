import type { OpenAPIRouter } from "openapi-backend";
import type { SpecDocument } from "./document.js";
import { HTTP_METHODS } from "./operations.js";
import { OpenAPIRouter as Router } from "./peers.js";

/**
 * Routing a request to a spec operation with openapi-backend's router, the one the sandbox's
 * validator uses too: a literal path wins over a template (`/tenants/list` is not `/tenants/{id}`
 * with id "list"), trailing slashes are ignored.
 */

/** Where a method and path lead. */
export type Route =
  | {
      readonly kind: "operation";
      readonly operationId: string;
      readonly params: Readonly<Record<string, string>>;
    }
  /** The path exists, but not for this method: `allow` lists the methods it has (RFC 9110 §15.5.6). */
  | { readonly kind: "method-not-allowed"; readonly allow: readonly string[] }
  | { readonly kind: "not-found" };

const routers = new WeakMap<SpecDocument, OpenAPIRouter>();

/** A router for `document` (one per document, reused). */
export function routerFor(document: SpecDocument): OpenAPIRouter {
  let router = routers.get(document);
  if (!router) {
    router = new Router({ definition: document });
    routers.set(document, router);
  }
  return router;
}

/**
 * Routes `method` and `pathname` (no query string) with `router`. Path parameters come back
 * percent-decoded, or as sent when their encoding is malformed.
 */
export function routeRequest(router: OpenAPIRouter, method: string, pathname: string): Route {
  const request = { method: method.toLowerCase(), path: pathname, headers: {} };
  const operation = router.matchOperation(request);
  if (operation?.operationId) {
    return {
      kind: "operation",
      operationId: operation.operationId,
      params: pathParams(router, request, operation),
    };
  }
  const allow = HTTP_METHODS.filter(
    (candidate) => router.matchOperation({ ...request, method: candidate }) !== undefined,
  ).map((candidate) => candidate.toUpperCase());
  return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "not-found" };
}

function pathParams(
  router: OpenAPIRouter,
  request: { method: string; path: string; headers: Record<string, string> },
  operation: { path: string },
): Record<string, string> {
  try {
    return router.parseRequest(request, operation as never).params as Record<string, string>;
  } catch {
    // Malformed percent-encoding (`%ff`): take each templated segment as it was sent.
    const params: Record<string, string> = {};
    const sent = router.normalizePath(request.path).split("/");
    operation.path.split("/").forEach((segment, i) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (name !== undefined) params[name] = sent[i] ?? "";
    });
    return params;
  }
}
