import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Request as BackendRequest, Context, OpenAPIBackend } from "openapi-backend";
import type { components } from "../../generated/msx.js";
import { ConfigError } from "../errors.js";
import { bearerCredentials } from "../spec/bearer-token.js";
import { parseForm } from "../spec/form.js";
import { FORM_MEDIA_TYPE, JSON_MEDIA_TYPE } from "../spec/media-type.js";
import { createMsxBackend, loadMsxDocument } from "../spec/msx-spec.js";
import { operationEntry } from "../spec/operations.js";
import { describeValidationErrors } from "../spec/validation-errors.js";
import { ADMIN_PREFIX, handleAdminRequest } from "./admin.js";
import { apiProblem, oauthProblem, SandboxProblem, TOKEN_RESPONSE_HEADERS } from "./errors.js";
import type { Exchange, SandboxResult } from "./exchange.js";
import { FaultQueue, type FaultRule, faultRuleProblems } from "./faults.js";
import {
  answerClientError,
  ClientGoneError,
  mediaTypeOf,
  readBody,
  writeResponse,
} from "./http-io.js";
import { reachableHost } from "./listen-address.js";
import {
  type ResolvedClient,
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxOptions,
} from "./options.js";
import { parseQuery, routeOf, routeProblem, splitTarget } from "./routing.js";
import { seedTenants } from "./seed.js";
import { TenantStore } from "./store.js";
import { tenantHandlers } from "./tenants.js";
import { authenticateClient, grantToken, type TokenEndpointContext } from "./token-endpoint.js";
import { type Principal, TokenRegistry } from "./tokens.js";

type Tenant = components["schemas"]["Tenant"];

export interface SandboxStats {
  /** Requests to the API (admin requests are not counted). */
  requests: number;
  /** Requests routed to POST /idm/v2/token. */
  tokenRequests: number;
  /** Token requests that reached grant handling, by grant_type (supported grant types only). */
  tokenRequestsByGrant: Record<string, number>;
  /** Tenants in the store now (at most the `maxTenants` option). */
  tenants: number;
  /** Their size as JSON in UTF-8 (at most the `maxStoreBytes` option). */
  tenantBytes: number;
}

export interface Sandbox {
  /** The base URL, e.g. "http://127.0.0.1:41234" (loopback also when bound to 0.0.0.0 or ::). */
  url: string;
  /** The first configured client and user: the credentials to use. */
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Stops the server, ending idle keep-alive connections and requests in flight. */
  close(): Promise<void>;
  /** Adds a fault rule; throws ConfigError if the rule is invalid. */
  inject(rule: FaultRule): void;
  /** Forgets every token now (refresh tokens too, unless `keepRefreshTokens`). */
  expireAllTokens(options?: { keepRefreshTokens?: boolean }): void;
  stats(): SandboxStats;
  /** A snapshot of the store, in creation order, for tests. */
  tenants(): ReadonlyArray<Tenant>;
}

const TOKEN_OPERATION = "getAccessToken";
const REALM = "passgrant-sandbox";

/**
 * Starts an MSX-compatible server on loopback: the token endpoint and the seven tenant
 * operations of `openapi/msx.yaml`, over an in-memory store. openapi-backend routes and
 * validates every request against the spec itself; the sandbox only adds the business rules.
 */
export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  const config = resolveSandboxOptions(options);
  const store = new TenantStore(config.clock, config.limits);
  if (config.seed) seedTenants(store);
  const tokens = new TokenRegistry(config);
  const faults = new FaultQueue();
  for (const rule of config.faults) faults.add(rule);
  const counters = {
    requests: 0,
    tokenRequests: 0,
    tokenRequestsByGrant: {} as Record<string, number>,
  };
  const stats = (): SandboxStats => ({
    ...counters,
    tokenRequestsByGrant: { ...counters.tokenRequestsByGrant },
    tenants: store.size,
    tenantBytes: store.totalBytes,
  });
  const tokenContext: TokenEndpointContext = {
    clients: new Map(config.clients.map((client) => [client.clientId, client])),
    users: new Map(config.users.map((user) => [user.username, user])),
    tokens,
    store,
    countGrant: (grantType) => {
      counters.tokenRequestsByGrant[grantType] =
        (counters.tokenRequestsByGrant[grantType] ?? 0) + 1;
    },
  };
  const backend = await createBackend(tokenContext, store);
  const closing = new AbortController();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = request.method ?? "GET";
    const target = splitTarget(request.url ?? "/");
    if (config.log) {
      const log = config.log;
      response.on("close", () => {
        const outcome = response.writableFinished ? String(response.statusCode) : "dropped";
        log(
          `${method} ${target?.pathname ?? "(bad target)"} ${outcome} ${Math.round(performance.now() - started)}ms`,
        );
      });
    }
    try {
      if (!target) throw apiProblem(400, "the request target is not a path such as /idm/v2/token");
      const { pathname, query } = target;
      if (pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`)) {
        const result = await handleAdminRequest(request, pathname, { faults, tokens, stats });
        writeResponse(response, result.status, result.body, result.headers);
        return;
      }
      counters.requests += 1;
      const route = routeOf(backend, method, pathname);
      const operationId = route.kind === "operation" ? route.operationId : undefined;
      if (operationId === TOKEN_OPERATION) counters.tokenRequests += 1;
      const fault = faults.take({ method, path: pathname, operationId });
      if (fault) {
        if (fault.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal });
        if (fault.drop) {
          request.socket.destroy();
          return;
        }
        if (fault.status !== undefined) throw faultProblem(fault, operationId);
      }
      if (route.kind !== "operation") throw routeProblem(route, method, pathname);
      const body = await readBody(request);
      const mediaType = mediaTypeOf(request);
      const exchange: Exchange = {
        body,
        mediaType,
        ...(mediaType === FORM_MEDIA_TYPE && { form: parseForm(body.toString("utf8")) }),
      };
      const backendRequest: BackendRequest = {
        method,
        path: pathname,
        query: parseQuery(query),
        headers: request.headers as BackendRequest["headers"],
        body: bodyForValidation(exchange),
      };
      const result = (await backend.handleRequest(backendRequest, exchange)) as SandboxResult;
      writeResponse(response, result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof SandboxProblem) {
        writeResponse(response, error.status, error.body, error.headers);
      } else if (error instanceof ClientGoneError || closing.signal.aborted) {
        response.destroy();
      } else {
        config.log?.(`internal error: ${(error as Error)?.name ?? typeof error}`);
        writeResponse(response, 500, {
          code: "INTERNAL_ERROR",
          message: "the sandbox failed unexpectedly; this is a passgrant bug, please report it",
        });
      }
    }
  };

  const server = createServer({ keepAlive: true }, (request, response) => {
    void handle(request, response);
  });
  server.on("clientError", answerClientError);
  await listen(server, config);

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = reachableHost(config.host);
  const [client] = config.clients;
  const [user] = config.users;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${host}:${port}`,
    clientId: client?.clientId ?? "",
    clientSecret: client?.clientSecret ?? "",
    username: user?.username ?? "",
    password: user?.password ?? "",
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    inject(rule) {
      const problems = faultRuleProblems(rule);
      if (problems.length > 0) throw new ConfigError(problems.map((p) => `fault rule: ${p}`));
      faults.add(rule);
    },
    expireAllTokens(expireOptions) {
      tokens.expireAll(expireOptions);
    },
    stats,
    tenants: () => store.snapshot(),
  };
}

/** Builds the openapi-backend that routes, authenticates and validates by the spec. */
async function createBackend(
  tokenContext: TokenEndpointContext,
  store: TenantStore,
): Promise<OpenAPIBackend> {
  const isToken = (context: Context) => context.operation.operationId === TOKEN_OPERATION;
  const handlers: Record<string, (context: Context, exchange: Exchange) => unknown> = {
    ...tenantHandlers(store),
    getAccessToken(context, exchange) {
      const form = exchange.form;
      if (!form) throw oauthProblem(400, "invalid_request", "the token request has no form body");
      const [repeated] = form.repeated;
      if (repeated !== undefined) {
        throw oauthProblem(
          400,
          "invalid_request",
          `parameter ${repeated} was sent more than once (RFC 6749 §3.2)`,
        );
      }
      const client = context.security.BasicAuth as ResolvedClient;
      const body = grantToken(client, form.fields, tokenContext);
      return { status: 200, body, headers: TOKEN_RESPONSE_HEADERS };
    },
    unauthorizedHandler(context) {
      const failure = context.security[isToken(context) ? "BasicAuth" : "BearerAuth"] as
        | { error?: unknown }
        | undefined;
      if (failure?.error instanceof SandboxProblem) throw failure.error;
      throw apiProblem(401, "authentication failed", { headers: bearerChallenge() });
    },
    postSecurityHandler(context, exchange) {
      // The token endpoint's `{}` alternative (credentials in the form body) makes openapi-backend
      // call every token request authorized; the BasicAuth handler checked both ways, and its
      // verdict decides.
      const client = context.security.BasicAuth as { error?: unknown } | undefined;
      if (isToken(context) && client?.error instanceof SandboxProblem) throw client.error;
      if (context.security.authorized) checkMediaType(context, exchange);
    },
    validationFail(context) {
      const message = describeValidationErrors(context.validation.errors ?? []);
      throw isToken(context)
        ? oauthProblem(400, "invalid_request", message)
        : apiProblem(400, message);
    },
    notFound() {
      throw apiProblem(404, "no such operation");
    },
    methodNotAllowed() {
      throw apiProblem(405, "method not allowed");
    },
  };
  const backend = await createMsxBackend(handlers);
  backend.registerSecurityHandler("BasicAuth", (context: Context, exchange: Exchange) =>
    authenticateClient(
      headerValue(context.request.headers.authorization),
      exchange.form?.fields,
      tokenContext.clients,
    ),
  );
  backend.registerSecurityHandler("BearerAuth", (context: Context): Principal => {
    const bearer = bearerCredentials(headerValue(context.request.headers.authorization));
    if (bearer.kind === "absent") {
      // RFC 6750 §3.1: no error code when the request carried no bearer credentials at all.
      throw apiProblem(
        401,
        "Full authentication is required to access this resource: send Authorization: Bearer <access token>",
        { headers: bearerChallenge() },
      );
    }
    if (bearer.kind === "malformed") {
      throw apiProblem(401, "the Authorization header is not of the form Bearer <access token>", {
        headers: bearerChallenge("the Authorization header is malformed"),
      });
    }
    const check = tokenContext.tokens.checkAccessToken(bearer.token);
    if (!check.ok) {
      const description =
        check.reason === "expired"
          ? "the access token expired; get a new one (refresh it or sign in again)"
          : "the access token is not known to this sandbox (it may have been expired or the sandbox restarted); sign in again";
      throw apiProblem(401, description, { headers: bearerChallenge(description) });
    }
    return check.principal;
  });
  return backend;
}

/** `WWW-Authenticate: Bearer ...` (RFC 6750 §3), with `invalid_token` when a token was sent. */
function bearerChallenge(invalidTokenDescription?: string): Record<string, string> {
  const challenge =
    invalidTokenDescription === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="invalid_token", error_description="${invalidTokenDescription.replaceAll('"', "'")}"`;
  return { "www-authenticate": challenge };
}

/**
 * 415 when a body comes in a media type the operation does not accept. The token endpoint
 * answers RFC 6749's `invalid_request` instead, which OAuth clients know how to report.
 */
function checkMediaType(context: Context, exchange: Exchange): void {
  const operationId = context.operation.operationId ?? "";
  const accepted = operationEntry(loadMsxDocument(), operationId).requestMediaTypes;
  if (accepted.length === 0) return;
  if (exchange.body.length === 0 && exchange.mediaType === undefined) return; // "body is required"
  if (exchange.mediaType !== undefined && accepted.includes(exchange.mediaType)) return;
  const got = exchange.mediaType ?? "no Content-Type";
  if (operationId === TOKEN_OPERATION) {
    throw oauthProblem(
      400,
      "invalid_request",
      `the token request must be application/x-www-form-urlencoded (RFC 6749 §4.3.2), got ${got}`,
    );
  }
  throw apiProblem(415, `Content-Type must be ${accepted.join(" or ")}, got ${got}`);
}

/** What openapi-backend should validate: the parsed form or JSON object, else the raw text. */
function bodyForValidation(exchange: Exchange): unknown {
  if (exchange.body.length === 0) return undefined;
  if (exchange.form) return exchange.form.fields;
  const text = exchange.body.toString("utf8");
  if (exchange.mediaType === JSON_MEDIA_TYPE) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) return parsed;
    } catch {
      // openapi-backend reports the syntax error as a validation failure, after authentication
    }
  }
  return text;
}

/**
 * Marks an answer a fault rule made up. Its status may be one the operation does not document
 * (a 503, say): rather than declare every status a rule can inject, which would claim the
 * platform sends them, the spec declares injected answers outside its contract and names this
 * header, so a conformance check can set them aside.
 */
export const INJECTED_FAULT_HEADER = { "x-passgrant-sandbox-fault": "injected" } as const;

function faultProblem(rule: Readonly<FaultRule>, operationId: string | undefined): SandboxProblem {
  const status = rule.status ?? 500;
  const headers: Record<string, string> = {
    ...INJECTED_FAULT_HEADER,
    ...(rule.retryAfterSeconds !== undefined && { "retry-after": String(rule.retryAfterSeconds) }),
  };
  const description = `injected fault: this request was answered ${status} by a sandbox fault rule`;
  if (operationId === TOKEN_OPERATION && (status === 400 || status === 401 || status === 403)) {
    const error = { 400: "invalid_request", 401: "invalid_client", 403: "access_denied" }[status];
    if (status === 401) headers["www-authenticate"] = `Basic realm="${REALM}"`;
    return oauthProblem(status, error, description, headers);
  }
  if (status === 401 && operationId !== undefined)
    Object.assign(headers, bearerChallenge(description));
  return apiProblem(status, description, { headers });
}

function headerValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

async function listen(server: Server, config: ResolvedSandboxOptions): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "EADDRINUSE"
        ? `port ${config.port} on ${config.host} is already in use: choose another port, or 0 for a free one`
        : `the sandbox cannot listen on ${config.host}:${config.port} (${code ?? "error"}): check the host and port`,
      { cause: error },
    );
  }
}
