import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDocument, type SpecDocument, type SpecSource } from "../spec/document.js";
import { type OperationEntry, operationTable } from "../spec/operations.js";
import { routeRequest, routerFor } from "../spec/router.js";
import type {
  ApiMock,
  ExpectOptions,
  MockApiOptions,
  MockClient,
  MockMembers,
} from "./expectation-types.js";
import {
  baseLocation,
  matches,
  relativePath,
  type SeenRequest,
  seenRequest,
  stringHeaders,
} from "./matcher.js";
import type { MockProfile } from "./mock-profile.js";
import {
  type NockMatchContext,
  type NockReplyRequest,
  type ReplyResult,
  wireMock,
} from "./nock-wiring.js";
import { Recorder } from "./recorder.js";
import { buildReply } from "./replies.js";
import { backendFor, type CredentialExpectations, checkRequest, parseBody } from "./spec-check.js";
import type { OperationsLike, UntypedOperations } from "./types.js";
import { ContractViolationError } from "./violations.js";

/** The reply the kit sends instead of the expected one when a request breaks the contract. */
export const VIOLATION_STATUS = 400;
/** A header on every reply the kit sends because of a violation. */
export const VIOLATION_HEADER = "x-passgrant-contract-violation";

interface Expectation {
  operationId: string;
  options: ExpectOptions<string, UntypedOperations, unknown>;
  remaining: number;
}

/**
 * Mocks the API that `spec` (an OpenAPI 3 document, or the path of its YAML or JSON file)
 * describes, at `baseUrl`, with nock. Expect calls with one method per operationId
 * (`api.addPet({ status: 201 })`); each replies with the spec's example or a value made from
 * its schema unless told otherwise. Every intercepted request is checked against the document
 * (route, parameters, body, content type, and the credentials of the security scheme the
 * operation declares); one that breaks it, or that no expectation is left for, is recorded,
 * answered with status 400 and a body that says what is wrong, and reported by `verify()`.
 *
 * Pass the generated `operations` type (openapi-typescript) as `O` for typed methods, bodies
 * and statuses: `mockApi<operations>(spec, url)`.
 */
export function mockApi<O extends OperationsLike = UntypedOperations>(
  spec: SpecSource,
  baseUrl: string | URL,
  options: MockApiOptions = {},
): ApiMock<O> {
  const document = documentFor(spec);
  return createMock(document, baseUrl, options, {
    apiName: document.info?.title || "API",
  }) as ApiMock<O>;
}

const documentsByFile = new Map<string, SpecDocument>();

/**
 * The document of `spec`, read once per file: each document gets its own compiled validator
 * (hundreds of milliseconds), which a test file's many mocks of one spec then share.
 */
function documentFor(spec: SpecSource): SpecDocument {
  if (typeof spec !== "string" && !(spec instanceof URL)) return loadDocument(spec);
  const file = resolve(spec instanceof URL ? fileURLToPath(spec) : spec);
  let document = documentsByFile.get(file);
  if (!document) {
    document = loadDocument(file);
    documentsByFile.set(file, document);
  }
  return document;
}

/**
 * The mock behind {@link mockApi} and `mockMsx`, with `profile`'s additions. `client` (from
 * `mockMsx`) is the token endpoint's client in full; `basic` names only a Basic client.
 */
export function createMock(
  document: SpecDocument,
  baseUrl: string | URL,
  options: MockApiOptions & { client?: MockClient },
  profile: MockProfile,
): MockMembers<UntypedOperations, unknown, unknown> & Record<string, unknown> {
  const table = operationTable(document);
  const router = routerFor(document);
  const base = baseLocation(baseUrl);
  const expectations: Expectation[] = [];
  const recorder = new Recorder<string>(secretQueryParameters(table));
  const backend = backendFor(document);

  const route = (method: string, pathname: string) => {
    const found = routeRequest(router, method, pathname);
    return found.kind === "operation" ? found : undefined;
  };

  /** The request nock is matching, rebuilt from its match context (no body parsing errors). */
  const fromContext = (context: NockMatchContext, rawBody: unknown): SeenRequest | undefined => {
    const method = (context.method ?? "GET").toUpperCase();
    const relative = relativePath(base, context.path ?? "/");
    const routed =
      relative === undefined ? undefined : route(method, relative.split("?")[0] ?? "/");
    if (!routed || relative === undefined) return undefined;
    const headers = stringHeaders(context.headers ?? {});
    return seenRequest(routed.operationId, method, relative, routed.params, headers, rawBody);
  };
  const liveExpectationFor = (request: SeenRequest) =>
    expectations.find(
      (e) =>
        e.remaining > 0 &&
        e.operationId === request.operationId &&
        matches(e.options.match, request),
    );

  const violationReply = (
    operationId: string | undefined,
    method: string,
    relative: string,
    problems: string[],
  ): ReplyResult => {
    const path = relative.split("?")[0] ?? "/";
    const head = operationId ? `${operationId} (${method} ${path})` : `${method} ${path}`;
    const message = `passgrant/testing contract violation: ${head}: ${problems.join("; ")}`;
    const body = profile.violationBody?.(operationId, message) ?? {
      code: "CONTRACT_VIOLATION",
      message,
    };
    return [VIOLATION_STATUS, body, { [VIOLATION_HEADER]: "true" }];
  };

  const stray = (request: NockReplyRequest): ReplyResult => {
    const headers = stringHeaders(request.headers);
    const relative = relativePath(base, request.uri);
    const problems: string[] = [];
    let operationId: string | undefined;
    let body: unknown = request.bodyText || undefined;
    if (relative === undefined) {
      problems.push(`the request is outside the mocked base URL ${base.display}`);
    } else {
      const routed = route(request.method, relative.split("?")[0] ?? "/");
      operationId = routed?.operationId;
      if (routed) {
        const entry = table.get(routed.operationId) as OperationEntry;
        const wire = {
          method: request.method,
          pathWithQuery: relative,
          headers,
          bodyText: request.bodyText,
          url: absoluteUrl(base.origin, request.uri),
        };
        body = parseBody(entry, wire, []);
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
          `no operation of the spec is ${request.method} ${relative.split("?")[0]} (a typo in the path or method?)`,
        );
      }
    }
    recorder.record(operationId, request.method, relative ?? request.uri, headers, body, problems);
    return violationReply(operationId, request.method, relative ?? request.uri, problems);
  };

  const wiring = wireMock(
    base.origin,
    (context, parsedBody) => {
      const request = fromContext(context, parsedBody);
      return request !== undefined && liveExpectationFor(request) !== undefined;
    },
    stray,
  );

  function expect(operationId: string, expectOptions: Expectation["options"] = {}) {
    const entry = table.get(operationId);
    if (!entry) throw new Error(`passgrant/testing: the spec has no operation "${operationId}"`);
    const times = expectOptions.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`passgrant/testing: times must be a positive integer, got ${times}`);
    }
    const expectation: Expectation = { operationId, options: expectOptions, remaining: times };
    expectations.push(expectation);
    wiring.intercept(
      entry.method,
      (uri) => {
        const pathname = relativePath(base, uri)?.split("?")[0];
        return pathname !== undefined && route(entry.method, pathname)?.operationId === operationId;
      },
      (context, parsedBody) => {
        const request = fromContext(context, parsedBody);
        if (
          !request ||
          expectation.remaining <= 0 ||
          !matches(expectation.options.match, request)
        ) {
          return false;
        }
        // nock consumes the interceptor as soon as this returns true: count it now, so the
        // catch-all sees the same remaining calls as nock does.
        expectation.remaining -= 1;
        return true;
      },
      { times, delayMs: expectOptions.delayMs },
      async (request) => {
        const headers = stringHeaders(request.headers);
        const relative = relativePath(base, request.uri) ?? request.uri;
        const wire = {
          method: entry.method,
          pathWithQuery: relative,
          headers,
          bodyText: request.bodyText,
          url: absoluteUrl(base.origin, request.uri),
        };
        const credentials = credentialsFor(options, profile, expectOptions.requireAccessToken);
        const problems = await checkRequest(document, operationId, wire, credentials);
        const body = parseBody(entry, wire, []);
        recorder.record(operationId, entry.method, relative, headers, body, problems);
        if (problems.length > 0)
          return violationReply(operationId, entry.method, relative, problems);
        const params = route(entry.method, relative.split("?")[0] ?? "/")?.params ?? {};
        const seen = seenRequest(operationId, entry.method, relative, params, headers, body);
        const reply = await buildReply(await backend, entry, expectOptions, seen, profile);
        if (reply.problems.length > 0)
          recorder.violate(operationId, entry.method, seen.path, reply.problems);
        profile.onReply?.(operationId, reply.status, reply.body);
        return [reply.status, reply.body ?? "", reply.headers];
      },
    );
    return mock;
  }

  function pending(): string[] {
    return expectations
      .filter((e) => e.remaining > 0)
      .map((e) => {
        const { method, path } = table.get(e.operationId) as OperationEntry;
        const match = e.options.match ? " matching the given `match`" : "";
        return `${e.operationId} (${method} ${path})${match}: expected ${e.remaining} more call(s), none came`;
      });
  }

  const members: MockMembers<UntypedOperations, unknown, unknown> = {
    baseUrl: base.display,
    scope: wiring.scope,
    get violations() {
      return recorder.violations;
    },
    get requests() {
      return recorder.requests;
    },
    expect: expect as MockMembers<UntypedOperations, unknown, unknown>["expect"],
    pending,
    isDone: () => recorder.violations.length === 0 && pending().length === 0,
    verify() {
      const unmet = pending();
      const violations = recorder.violations;
      if (violations.length > 0 || unmet.length > 0) {
        throw new ContractViolationError(base.display, violations, unmet, profile.apiName);
      }
    },
  };
  // One method per operation, so `api.addPet(...)` is typed by that operation; an operationId
  // that collides with a member stays reachable through `expect`.
  const mock = Object.defineProperties(
    {},
    Object.getOwnPropertyDescriptors(members),
  ) as MockMembers<UntypedOperations, unknown, unknown> & Record<string, unknown>;
  for (const operationId of table.keys()) {
    if (!(operationId in mock)) {
      mock[operationId] = (expectOptions?: Expectation["options"]) =>
        expect(operationId, expectOptions);
    }
  }
  return mock;
}

/** The URL a request went to, without its query (`uri` is nock's path on `origin`). */
function absoluteUrl(origin: string, uri: string): string {
  return `${origin}${uri.split("?")[0] ?? ""}`;
}

function credentialsFor(
  options: MockApiOptions & { client?: MockClient },
  profile: MockProfile,
  requiredToken: string | undefined,
): CredentialExpectations {
  const client =
    options.client ??
    (options.basic && { clientId: options.basic.username, clientSecret: options.basic.password });
  return {
    ...(client ? { client } : {}),
    acceptedTokens: new Set([...(options.bearerTokens ?? []), ...(profile.issuedTokens?.() ?? [])]),
    ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
    ...(requiredToken === undefined ? {} : { requiredToken }),
  };
}

/** Query parameters that carry API keys: masked in `mock.requests`. */
function secretQueryParameters(table: ReadonlyMap<string, OperationEntry>): Set<string> {
  const names = new Set<string>();
  for (const entry of table.values()) {
    for (const alternative of entry.security) {
      for (const { scheme } of alternative) {
        if (scheme.kind === "apiKey" && scheme.in === "query") names.add(scheme.name);
      }
    }
  }
  return names;
}
