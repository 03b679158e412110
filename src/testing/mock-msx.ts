import { isDeepStrictEqual } from "node:util";
import type nock from "nock";
import { type MsxOperationId, msxOperations } from "../spec/msx-operations.js";
import { loadMsxDocument } from "../spec/msx-spec.js";
import { operationEntry } from "../spec/operations.js";
import { routeRequest as routeBySpec, routerFor } from "../spec/router.js";
import { defaultReply } from "./default-replies.js";
import { errorFixture, oauthErrorFixture } from "./fixtures.js";
import {
  type CredentialExpectations,
  checkRequest,
  parseBody,
  sharedBackend,
  type WireRequest,
} from "./spec-check.js";

// nock is an optional peer (see ../peers/optional-peers.ts): a static import would fail at link
// time, before the entry point could say what to install.
const { default: nockScope } = await import("nock");

import type {
  DocumentedStatus,
  OffSpecStatus,
  PathParams,
  RequestBody,
  ResponseBody,
  Schemas,
  SuccessStatus,
} from "./types.js";
import { type ContractViolation, ContractViolationError, describeViolation } from "./violations.js";

/** A request a mock intercepted, as handed to `match.where` and to reply-body functions. */
export interface InterceptedRequest<K extends MsxOperationId = MsxOperationId> {
  operationId: K;
  method: string;
  /** The path below the mock's base URL, without the query string. */
  path: string;
  params: PathParams<K>;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** The parsed body: JSON, or the form's fields for the token endpoint. */
  body: RequestBody<K> | undefined;
}

/** What `msx.requests` keeps of a request: credentials and secret form fields are masked. */
export interface RecordedRequest {
  operationId: MsxOperationId | undefined;
  method: string;
  path: string;
  query: string;
  /** `Basic`, `Bearer`, or `undefined` when no Authorization header was sent. */
  authorizationScheme: string | undefined;
  contentType: string | undefined;
  body: unknown;
  /** Whether the kit found the request valid against the spec. */
  valid: boolean;
}

type BodySource<K extends MsxOperationId, B> = B | ((request: InterceptedRequest<K>) => B);

/** The reply of an expectation: a status the spec documents (typed body), or an off-spec one. */
export type ReplyFor<K extends MsxOperationId> =
  | { status?: undefined; body?: BodySource<K, ResponseBody<K, SuccessStatus<K>>> }
  | {
      [S in DocumentedStatus<K>]: { status: S; body?: BodySource<K, ResponseBody<K, S>> };
    }[DocumentedStatus<K>]
  | { status: OffSpecStatus; body?: BodySource<K, Schemas["Error"]> };

/** Which requests an expectation answers. All given criteria must hold. */
export interface RequestMatch<K extends MsxOperationId> {
  /** Path parameters, compared after URL decoding. */
  params?: Partial<PathParams<K>>;
  /** Query parameters that must be present with these values (others are allowed). */
  query?: Readonly<Record<string, string | readonly string[]>>;
  /** Body fields that must be present with these values (others are allowed). */
  body?: Partial<NonNullable<RequestBody<K>>>;
  /** Any other condition. */
  where?: (request: InterceptedRequest<K>) => boolean;
}

/** How one expected call is matched and answered. */
export type ExpectOptions<K extends MsxOperationId> = ReplyFor<K> & {
  /** Extra reply headers (e.g. `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
  /** Hold the response back this long (nock's `delay`), to exercise timeouts. */
  delayMs?: number;
  /** How many calls this expectation answers (default 1). */
  times?: number;
  match?: RequestMatch<K>;
  /** Tenant operations: the request must carry exactly this Bearer token. */
  requireAccessToken?: string;
};

/** Options of {@link mockMsx}. */
export interface MockMsxOptions {
  /** The Basic client credentials the token endpoint must receive (any are accepted if unset). */
  client?: { clientId: string; clientSecret: string };
  /**
   * Bearer tokens tenant operations may carry besides the ones this mock's token replies issued.
   * While no token was issued and none is listed here, any non-empty token is accepted.
   */
  accessTokens?: readonly string[];
}

type ExpectMethods = {
  [K in MsxOperationId]: (options?: ExpectOptions<K>) => MsxMock;
};

/**
 * A nock-backed stand-in for an MSX platform: one method per spec operation to expect a call,
 * checks of every intercepted request against the spec, and `verify()` to fail the test.
 */
export interface MsxMock extends ExpectMethods {
  readonly baseUrl: string;
  /** The nock scope holding the expectations (for `scope.isDone()` and the like). */
  readonly scope: nock.Scope;
  /** Everything found wrong so far. */
  readonly violations: readonly ContractViolation[];
  /** Every request the mock answered, in order, with credentials masked. */
  readonly requests: readonly RecordedRequest[];
  /** Expect one call of any operation by id (what the named methods call). */
  expect<K extends MsxOperationId>(operationId: K, options?: ExpectOptions<K>): MsxMock;
  /** Descriptions of the expectations not yet used up. */
  pending(): string[];
  /** True when every expectation was used and nothing was violated. */
  isDone(): boolean;
  /**
   * Throws a {@link ContractViolationError} listing every spec mismatch, unexpected request and
   * unused expectation. Call it at the end of each test (e.g. in `afterEach`).
   */
  verify(): void;
}

/** The reply the kit sends instead of the expected one when a request breaks the contract. */
export const VIOLATION_STATUS = 400;
/** A header on every reply the kit sends because of a violation. */
export const VIOLATION_HEADER = "x-passgrant-contract-violation";

const SECRET_FIELDS = new Set([
  "password",
  "client_secret",
  "refresh_token",
  "access_token",
  "id_token",
]);
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

interface Expectation {
  operationId: MsxOperationId;
  options: ExpectOptions<MsxOperationId>;
  remaining: number;
}

/** Per origin: whether some mock has a live expectation for a request (see the catch-all). */
const takersByOrigin = new Map<
  string,
  Array<{
    scope: nock.Scope;
    takes: (context: NockMatchContext, parsedBody: unknown) => boolean;
  }>
>();
/** Per origin: the catch-all interceptors of the newest mock. */
const catchAllsByOrigin = new Map<string, nock.Interceptor[]>();

interface NockMatchContext {
  method?: string;
  path?: string;
  headers?: Record<string, unknown>;
}

/**
 * Mocks the MSX platform at `baseUrl` with nock. Expect calls with the operation methods
 * (`msx.getAccessToken()`, `msx.createTenant({ status: 201, body })`, ...); each replies with a
 * spec-valid fixture unless told otherwise. A request that breaks the spec, or that no expectation
 * is left for, is recorded, answered with status 400 and a body that says what is wrong, and
 * reported by `verify()`.
 *
 * Works with `nock.disableNetConnect()`. Clients must call `globalThis.fetch` late (passgrant's
 * clients do), or be created after nock is loaded.
 */
export function mockMsx(baseUrl: string | URL, options: MockMsxOptions = {}): MsxMock {
  const base = new URL(String(baseUrl));
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const displayBase = `${origin}${basePath}`;

  const expectations: Expectation[] = [];
  const violations: ContractViolation[] = [];
  const requests: RecordedRequest[] = [];
  const issuedTokens = new Set<string>();
  const acceptedTokens = new Set(options.accessTokens ?? []);
  const rawBodies = new WeakMap<object, string>();

  const scope = nockScope(origin);
  // A catch-all that answers what no expectation takes, so a stray request becomes a readable
  // violation instead of nock's "No match" error (which prints the headers, credentials included).
  const strayScope = nockScope(origin).persist();
  for (const scopeWithBodies of [scope, strayScope]) {
    scopeWithBodies.on("request", (req: object, _interceptor: unknown, body: string) => {
      rawBodies.set(req, body);
    });
  }

  /** Below the base path, or undefined when the request is outside it. */
  function relativePath(pathWithQuery: string): string | undefined {
    if (basePath === "") return pathWithQuery;
    if (pathWithQuery === basePath || pathWithQuery.startsWith(`${basePath}/`)) {
      return pathWithQuery.slice(basePath.length) || "/";
    }
    if (pathWithQuery.startsWith(`${basePath}?`)) return pathWithQuery.slice(basePath.length);
    return undefined;
  }

  function intercepted<K extends MsxOperationId>(
    operationId: K,
    method: string,
    relative: string,
    params: Record<string, string>,
    headers: Record<string, string>,
    body: unknown,
  ): InterceptedRequest<K> {
    const url = new URL(relative, "http://mock.invalid");
    return {
      operationId,
      method,
      path: url.pathname,
      params: params as PathParams<K>,
      query: url.searchParams,
      headers,
      body: body as RequestBody<K> | undefined,
    };
  }

  function matches(expectation: Expectation, request: InterceptedRequest): boolean {
    const match = expectation.options.match;
    if (!match) return true;
    for (const [name, value] of Object.entries(match.params ?? {})) {
      if ((request.params as Record<string, string>)[name] !== value) return false;
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

  /** The request nock is matching, rebuilt from its match context (no body parsing errors). */
  function fromContext(context: NockMatchContext, rawBody: unknown) {
    const method = (context.method ?? "GET").toUpperCase();
    const relative = relativePath(context.path ?? "/");
    if (relative === undefined) return undefined;
    const pathname = relative.split("?")[0] ?? "/";
    const routed = routeRequest(method, pathname);
    if (!routed) return undefined;
    const headers = stringHeaders(context.headers ?? {});
    return intercepted(routed.operationId, method, relative, routed.params, headers, rawBody);
  }

  /** A live expectation that takes this request, if any (the first, as nock would pick it). */
  function liveExpectationFor(request: InterceptedRequest): Expectation | undefined {
    return expectations.find(
      (e) => e.remaining > 0 && e.operationId === request.operationId && matches(e, request),
    );
  }

  function record(
    operationId: MsxOperationId | undefined,
    method: string,
    relative: string,
    headers: Record<string, string>,
    body: unknown,
    problems: string[],
  ): void {
    const [path = "/", query = ""] = relative.split("?");
    requests.push({
      operationId,
      method,
      path,
      query,
      authorizationScheme: headers.authorization?.trim().split(/\s+/)[0],
      contentType: headers["content-type"],
      body: maskSecrets(body),
      valid: problems.length === 0,
    });
    if (problems.length > 0) violations.push({ operationId, method, path, problems });
  }

  function violationReply(
    operationId: MsxOperationId | undefined,
    method: string,
    relative: string,
    problems: string[],
  ): nock.ReplyFnResult {
    const text = describeViolation({
      operationId,
      method,
      path: relative.split("?")[0] ?? "/",
      problems,
    });
    const message = `passgrant/testing contract violation: ${text}`;
    const body =
      operationId === "getAccessToken"
        ? oauthErrorFixture("invalid_request", message)
        : errorFixture(400, { code: "CONTRACT_VIOLATION", message });
    return [VIOLATION_STATUS, body, { [VIOLATION_HEADER]: "true" }];
  }

  // Only the newest mock of an origin keeps a catch-all, and it steps aside for a live expectation
  // of any mock of that origin: a mock left over from an earlier test (no `nock.cleanAll()`) can
  // neither swallow this one's requests nor have its own swallowed.
  // Mocks whose interceptors are gone (used up, or removed by `nock.cleanAll()`) take nothing.
  const takers = (takersByOrigin.get(origin) ?? []).filter((t) => t.scope.activeMocks().length > 0);
  takersByOrigin.set(origin, takers);
  takers.push({
    scope,
    takes: (context, parsedBody) => {
      const request = fromContext(context, parsedBody);
      return request !== undefined && liveExpectationFor(request) !== undefined;
    },
  });
  for (const stale of catchAllsByOrigin.get(origin) ?? []) nockScope.removeInterceptor(stale);
  const catchAlls: nock.Interceptor[] = [];
  catchAllsByOrigin.set(origin, catchAlls);

  for (const method of METHODS) {
    const catchAll = strayScope
      .intercept(
        () => true,
        method,
        function (this: NockMatchContext, parsedBody: unknown) {
          return !takers.some((taker) => taker.takes(this, parsedBody));
        },
      )
      .optionally();
    catchAlls.push(catchAll);
    catchAll.reply(function (this: nock.ReplyFnContext, uri: string) {
      const headers = stringHeaders(this.req.headers);
      const rawBody = rawBodies.get(this.req) ?? "";
      const relative = relativePath(uri);
      const problems: string[] = [];
      let operationId: MsxOperationId | undefined;
      let body: unknown = rawBody || undefined;
      if (relative === undefined) {
        problems.push(`the request is outside the mocked base URL ${displayBase}`);
      } else {
        const routed = routeRequest(method, relative.split("?")[0] ?? "/");
        operationId = routed?.operationId;
        if (routed) {
          const entry = operationEntry(loadMsxDocument(), routed.operationId);
          body = parseBody(entry, wire(method, relative, headers, rawBody), []);
          const expected = expectations.filter((e) => e.operationId === routed.operationId);
          problems.push(
            expected.length === 0
              ? "unexpected call: no expectation was set for this operation"
              : expected.some((e) => e.remaining > 0)
                ? "unexpected call: no expectation for this operation matches it (see match)"
                : "unexpected call: every expectation for this operation was already used",
          );
        } else {
          problems.push(
            `no operation of the spec is ${method} ${relative.split("?")[0]} (a typo in the path or method?)`,
          );
        }
      }
      record(operationId, method, relative ?? uri, headers, body, problems);
      return violationReply(operationId, method, relative ?? uri, problems);
    });
  }

  function expect<K extends MsxOperationId>(
    operationId: K,
    expectOptions: ExpectOptions<K> = {} as ExpectOptions<K>,
  ): MsxMock {
    const route = msxOperations[operationId];
    const times = expectOptions.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`passgrant/testing: times must be a positive integer, got ${times}`);
    }
    const expectation: Expectation = {
      operationId,
      options: expectOptions as ExpectOptions<MsxOperationId>,
      remaining: times,
    };
    expectations.push(expectation);

    const interceptor = scope
      .intercept(
        (uri: string) => {
          const relative = relativePath(uri);
          const pathname = relative?.split("?")[0];
          return (
            pathname !== undefined &&
            routeRequest(route.method, pathname)?.operationId === operationId
          );
        },
        route.method,
        function (this: NockMatchContext, parsedBody: unknown) {
          const request = fromContext(this, parsedBody);
          if (!request || expectation.remaining <= 0 || !matches(expectation, request))
            return false;
          // nock consumes the interceptor as soon as this returns true: count it now, so the
          // catch-all sees the same remaining calls as nock does.
          expectation.remaining -= 1;
          return true;
        },
      )
      .times(times);
    if (expectOptions.delayMs !== undefined) interceptor.delay(expectOptions.delayMs);

    interceptor.reply(async function (this: nock.ReplyFnContext, uri: string) {
      const headers = stringHeaders(this.req.headers);
      const rawBody = rawBodies.get(this.req) ?? "";
      const relative = relativePath(uri) ?? uri;
      const request = wire(route.method, relative, headers, rawBody);
      const credentials: CredentialExpectations = {
        ...(options.client ? { client: options.client } : {}),
        acceptedTokens: new Set([...acceptedTokens, ...issuedTokens]),
        ...(expectOptions.requireAccessToken === undefined
          ? {}
          : { requiredToken: expectOptions.requireAccessToken }),
      };
      const document = loadMsxDocument();
      const problems = await checkRequest(document, operationId, request, credentials);
      const body = parseBody(operationEntry(document, operationId), request, []);
      const params = routeRequest(route.method, relative.split("?")[0] ?? "/")?.params ?? {};
      record(operationId, route.method, relative, headers, body, problems);
      if (problems.length > 0) return violationReply(operationId, route.method, relative, problems);

      const the = intercepted(operationId, route.method, relative, params, headers, body);
      const reply = await buildReply(operationId, expectOptions, the);
      if (reply.problems.length > 0) {
        violations.push({
          operationId,
          method: route.method,
          path: the.path,
          problems: reply.problems,
        });
      }
      const issued = (reply.body as { access_token?: unknown } | undefined)?.access_token;
      if (operationId === "getAccessToken" && reply.status === 200 && typeof issued === "string") {
        issuedTokens.add(issued);
      }
      return [reply.status, reply.body ?? "", reply.headers];
    });
    return mock;
  }

  function pending(): string[] {
    return expectations
      .filter((e) => e.remaining > 0)
      .map((e) => {
        const { method, path } = msxOperations[e.operationId];
        const match = e.options.match ? " matching the given `match`" : "";
        return `${e.operationId} (${method} ${path})${match}: expected ${e.remaining} more call(s), none came`;
      });
  }

  // One method per spec operation, so `msx.createTenant(...)` is typed by that operation.
  const operationMethods = Object.fromEntries(
    (Object.keys(msxOperations) as MsxOperationId[]).map((operationId) => [
      operationId,
      (expectOptions?: ExpectOptions<MsxOperationId>) => expect(operationId, expectOptions),
    ]),
  ) as unknown as ExpectMethods;

  const mock: MsxMock = {
    ...operationMethods,
    baseUrl: displayBase,
    scope,
    get violations() {
      return [...violations];
    },
    get requests() {
      return [...requests];
    },
    expect,
    pending,
    isDone: () => violations.length === 0 && pending().length === 0,
    verify() {
      const unmet = pending();
      if (violations.length > 0 || unmet.length > 0) {
        throw new ContractViolationError(displayBase, violations, unmet);
      }
    },
  };
  return mock;
}

function wire(
  method: string,
  pathWithQuery: string,
  headers: Record<string, string>,
  bodyText: string,
): WireRequest {
  return { method, pathWithQuery, headers, bodyText };
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return result;
}

function maskSecrets(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => [
      name,
      SECRET_FIELDS.has(name) ? "<redacted>" : value,
    ]),
  );
}

interface BuiltReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  problems: string[];
}

async function buildReply<K extends MsxOperationId>(
  operationId: K,
  options: ExpectOptions<K>,
  request: InterceptedRequest<K>,
): Promise<BuiltReply> {
  const fallback = defaultReply(operationId, request);
  const status = options.status ?? fallback.status;
  const source = options.body as unknown;
  const body =
    typeof source === "function"
      ? (source as (r: InterceptedRequest<K>) => unknown)(request)
      : source === undefined && options.status === undefined
        ? fallback.body
        : (source ?? defaultErrorBody(operationId, status));
  const headers: Record<string, string> = {
    ...(operationId === "getAccessToken" && status === 200 ? { "Cache-Control": "no-store" } : {}),
    ...(status === 401 && operationId !== "getAccessToken"
      ? { "WWW-Authenticate": 'Bearer error="invalid_token"' }
      : {}),
    ...options.headers,
  };
  const problems: string[] = [];
  const backend = await sharedBackend();
  const documented = Object.keys(
    (backend.router.getOperation(operationId)?.responses ?? {}) as object,
  ).includes(String(status));
  if (documented && body !== undefined) {
    const result = backend.validateResponse(body, operationId, status);
    for (const error of result.errors ?? []) {
      const field = (error.instancePath ?? "").split("/").filter(Boolean).join(".");
      problems.push(
        `the mocked ${status} reply does not match the spec: ${field ? `field "${field}" ` : ""}${error.message}`,
      );
    }
  }
  return { status, body, headers, problems };
}

function defaultErrorBody(operationId: MsxOperationId, status: number): unknown {
  if (status < 400) return undefined;
  if (operationId === "getAccessToken" && status >= 400 && status < 500) {
    return oauthErrorFixture(status === 401 ? "invalid_client" : "invalid_grant");
  }
  return errorFixture(status);
}

/** The MSX operation a method and path lead to, with its decoded path parameters. */
function routeRequest(
  method: string,
  pathname: string,
): { operationId: MsxOperationId; params: Record<string, string> } | undefined {
  const route = routeBySpec(routerFor(loadMsxDocument()), method, pathname);
  return route.kind === "operation"
    ? { operationId: route.operationId as MsxOperationId, params: { ...route.params } }
    : undefined;
}
