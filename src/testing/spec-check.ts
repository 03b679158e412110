import type { OpenAPIBackend } from "openapi-backend";
import { type MsxOperationId, msxOperations } from "../client/msx.js";
import { createMsxBackend, loadMsxDocument } from "../spec/msx-spec.js";

/**
 * Checks one intercepted request against `openapi/msx.yaml`: the route, parameters and body
 * through openapi-backend's `validateRequest`, plus what that validator does not look at (the
 * request's media type and the operation's security scheme). Every finding is a sentence a test
 * failure can show as is; none carries a credential.
 */

/** A request as the kit saw it, before any parsing. */
export interface WireRequest {
  method: string;
  /** The path below the mock's base URL, with the query string, e.g. `/idm/api/v8/tenants?page=0`. */
  pathWithQuery: string;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** The raw request body ("" when there is none). */
  bodyText: string;
}

/** Expectations about credentials that the spec cannot state (it names schemes, not values). */
export interface CredentialExpectations {
  /** The Basic credentials the token endpoint must receive. */
  client?: { clientId: string; clientSecret: string };
  /** Bearer tokens tenant operations may carry; empty means any non-empty token. */
  acceptedTokens?: ReadonlySet<string>;
  /** The one bearer token this request must carry (e.g. the renewed token after a 401). */
  requiredToken?: string;
}

type SchemeKind = "basic" | "bearer";
interface OperationFacts {
  scheme: SchemeKind | undefined;
  /**
   * The operation also lists the empty alternative (`{}`): on the token endpoint, client
   * credentials in the form body (`client_id` with or without `client_secret`) instead of Basic.
   */
  credentialsInBody: boolean;
  /** The media type of the request body, if the operation takes one. */
  mediaType: string | undefined;
  bodyRequired: boolean;
}

const FORM = "application/x-www-form-urlencoded";
const JSON_MEDIA = "application/json";

let backendPromise: Promise<OpenAPIBackend> | undefined;

/** One validator per process: building it compiles every schema (hundreds of milliseconds). */
export function sharedBackend(): Promise<OpenAPIBackend> {
  backendPromise ??= createMsxBackend();
  return backendPromise;
}

let factsCache: Map<MsxOperationId, OperationFacts> | undefined;

/** Security scheme and request media type of each operation, read from the spec document. */
function operationFacts(operationId: MsxOperationId): OperationFacts {
  if (!factsCache) {
    factsCache = new Map();
    const document = loadMsxDocument() as unknown as SpecDocument;
    const schemes = document.components?.securitySchemes ?? {};
    for (const [id, route] of Object.entries(msxOperations) as [
      MsxOperationId,
      { method: string; path: string },
    ][]) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      const requirement = operation?.security ?? document.security ?? [];
      const schemeName = Object.keys(requirement[0] ?? {})[0];
      const scheme = schemeName ? schemes[schemeName]?.scheme?.toLowerCase() : undefined;
      const content = operation?.requestBody?.content ?? {};
      factsCache.set(id, {
        scheme: scheme === "basic" || scheme === "bearer" ? scheme : undefined,
        credentialsInBody: requirement.some((alternative) => Object.keys(alternative).length === 0),
        mediaType: Object.keys(content)[0],
        bodyRequired: operation?.requestBody?.required === true,
      });
    }
  }
  const facts = factsCache.get(operationId);
  if (!facts) throw new Error(`passgrant/testing: unknown operation ${operationId}`);
  return facts;
}

interface SpecDocument {
  security?: Array<Record<string, string[]>>;
  components?: { securitySchemes?: Record<string, { scheme?: string }> };
  paths: Record<
    string,
    Record<
      string,
      {
        security?: Array<Record<string, string[]>>;
        requestBody?: { required?: boolean; content?: Record<string, unknown> };
      }
    >
  >;
}

const routes = (
  Object.entries(msxOperations) as [MsxOperationId, { method: string; path: string }][]
).map(([operationId, route]) => {
  const names: string[] = [];
  const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, n) => {
    names.push(n);
    return "([^/]+)";
  });
  return { operationId, method: route.method, names, regex: new RegExp(`^${pattern}/?$`) };
});

/** A routed request: its operation and its (decoded) path parameters. */
export interface RoutedRequest {
  operationId: MsxOperationId;
  params: Record<string, string>;
}

/**
 * The spec operation for a method and pathname, as a server routes it: a literal path segment
 * wins over a template (`/tenants/list` is getTenantsList, not getTenant with id "list").
 */
export function routeRequest(method: string, pathname: string): RoutedRequest | undefined {
  let best: (RoutedRequest & { templated: number }) | undefined;
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const found = route.regex.exec(pathname);
    if (!found) continue;
    if (best && best.templated <= route.names.length) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = safeDecode(found[i + 1] ?? "");
    });
    best = { operationId: route.operationId, params, templated: route.names.length };
  }
  return best && { operationId: best.operationId, params: best.params };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Parses the request body the way the operation's media type says; `problems` gets what is off. */
export function parseBody(
  operationId: MsxOperationId,
  request: WireRequest,
  problems: string[],
): unknown {
  const { mediaType } = operationFacts(operationId);
  if (request.bodyText === "") return undefined;
  if (mediaType === FORM) {
    const form = new URLSearchParams(request.bodyText);
    const fields: Record<string, string> = {};
    for (const [name, value] of form) {
      if (name in fields) problems.push(`form field "${name}" appears more than once`);
      if (value === "undefined") {
        problems.push(
          `form field "${name}" is the string "undefined" (an undefined value was serialised; leave the field out instead)`,
        );
      }
      fields[name] = value;
    }
    return fields;
  }
  try {
    return JSON.parse(request.bodyText) as unknown;
  } catch {
    if (mediaType === JSON_MEDIA) problems.push("the request body is not valid JSON");
    return request.bodyText;
  }
}

/** Everything wrong with `request` as a call of `operationId`; empty when it is a valid call. */
export async function checkRequest(
  operationId: MsxOperationId,
  request: WireRequest,
  credentials: CredentialExpectations = {},
): Promise<string[]> {
  const problems: string[] = [];
  problems.push(...checkContentType(operationId, request));
  const body = parseBody(operationId, request, problems);
  problems.push(...checkSecurity(operationId, request.headers, body, credentials));

  const backend = await sharedBackend();
  const result = backend.validateRequest(
    {
      method: request.method.toLowerCase(),
      path: request.pathWithQuery,
      headers: { ...request.headers },
      ...(body === undefined ? {} : { body }),
    },
    operationId,
  );
  for (const error of result.errors ?? []) problems.push(describeAjvError(error));
  return problems;
}

function checkContentType(operationId: MsxOperationId, request: WireRequest): string[] {
  const { mediaType, bodyRequired } = operationFacts(operationId);
  const contentType = request.headers["content-type"];
  if (mediaType === undefined) {
    return request.bodyText === ""
      ? []
      : [
          `the operation takes no request body, but one was sent (${request.bodyText.length} bytes)`,
        ];
  }
  if (request.bodyText === "") {
    return bodyRequired ? [`the request body is missing (expected ${mediaType})`] : [];
  }
  if (contentType === undefined) {
    return [`the Content-Type header is missing (expected ${mediaType})`];
  }
  if (mediaType === FORM) {
    // Exact, as openapi-fetch needs it to serialise a form: it sends JSON under any other value.
    // `;charset=UTF-8` is what fetch itself adds to a URLSearchParams body, so it is tolerated.
    const exact = /^application\/x-www-form-urlencoded(\s*;\s*charset=utf-8)?$/i.test(
      contentType.trim(),
    );
    const problems: string[] = [];
    if (!exact) problems.push(`wrong Content-Type "${contentType}" (expected exactly ${FORM})`);
    if (/^\s*[[{]/.test(request.bodyText)) {
      problems.push(`the body is JSON, not form-encoded (expected ${FORM} fields such as a=1&b=2)`);
    }
    return problems;
  }
  return mediaTypeOf(contentType) === mediaType
    ? []
    : [`wrong Content-Type "${contentType}" (expected ${mediaType})`];
}

function checkSecurity(
  operationId: MsxOperationId,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  credentials: CredentialExpectations,
): string[] {
  const { scheme, credentialsInBody } = operationFacts(operationId);
  if (scheme === undefined) return [];
  const authorization = headers.authorization?.trim();
  const expected = scheme === "basic" ? "Basic" : "Bearer";
  const form = credentialsInBody && isRecord(body) ? body : {};
  if (!authorization) {
    if (typeof form.client_id === "string") return checkBodyCredentials(form, credentials.client);
    return scheme === "basic"
      ? [
          credentialsInBody
            ? "the Basic Authorization header is missing, and the form has no client_id either (the token endpoint needs the client id and secret)"
            : "the Basic Authorization header is missing (the token endpoint needs the client id and secret)",
        ]
      : ["the Bearer Authorization header is missing (tenant operations need an access token)"];
  }
  if (form.client_secret !== undefined) {
    return [
      "the client authenticated twice: an Authorization header and client_secret in the form (RFC 6749 §2.3 allows one method)",
    ];
  }
  const [given = "", ...rest] = authorization.split(/\s+/);
  const credential = rest.join(" ");
  if (given.toLowerCase() !== expected.toLowerCase()) {
    return [`the Authorization header uses the ${given} scheme (expected ${expected})`];
  }
  if (credential === "") return [`the ${expected} Authorization header has no credentials`];
  return scheme === "basic"
    ? checkBasic(credential, credentials.client)
    : checkBearer(credential, credentials);
}

function checkBasic(
  credential: string,
  client: CredentialExpectations["client"] | undefined,
): string[] {
  const decoded = Buffer.from(credential, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credential) || colon < 0) {
    return ["the Basic credentials are not base64 of client_id:client_secret"];
  }
  if (!client) return [];
  const id = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  // RFC 6749 §2.3.1 form-encodes id and secret before base64; many servers expect them raw.
  const formDecode = (text: string) => safeDecode(text.replace(/\+/g, " "));
  const idMatches = id === client.clientId || formDecode(id) === client.clientId;
  if (!idMatches) {
    return [
      `the Basic credentials name client id ${JSON.stringify(id)} (expected ${JSON.stringify(client.clientId)})`,
    ];
  }
  const secretMatches =
    secret === client.clientSecret || formDecode(secret) === client.clientSecret;
  return secretMatches ? [] : [`the Basic credentials carry the wrong client secret`];
}

/**
 * `client_id` (and `client_secret`, `client_secret_post`) in the form, RFC 6749 §2.3.1. Without
 * a secret it is a public client, which fits only when the expected client has no secret.
 */
function checkBodyCredentials(
  form: Readonly<Record<string, unknown>>,
  client: CredentialExpectations["client"] | undefined,
): string[] {
  if (!client) return [];
  if (form.client_id !== client.clientId) {
    return [
      `the form's client_id is ${JSON.stringify(form.client_id)} (expected ${JSON.stringify(client.clientId)})`,
    ];
  }
  if (form.client_secret === undefined) {
    return client.clientSecret === ""
      ? []
      : [
          "the form has client_id but no client_secret (and no Basic header): the client's secret is missing",
        ];
  }
  return form.client_secret === client.clientSecret
    ? []
    : ["the form's client_secret is the wrong client secret"];
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkBearer(token: string, credentials: CredentialExpectations): string[] {
  if (credentials.requiredToken !== undefined) {
    return token === credentials.requiredToken
      ? []
      : ["the Bearer token is not the expected one (a stale token reused after renewal?)"];
  }
  const accepted = credentials.acceptedTokens;
  if (accepted && accepted.size > 0 && !accepted.has(token)) {
    return ["the Bearer token is not one this mock issued or accepts (a made-up or stale token?)"];
  }
  return [];
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/requestBody/name must be string` => `request body field "name": must be string`. */
export function describeAjvError(error: AjvLikeError): string {
  const parts = (error.instancePath ?? "").split("/").filter(Boolean);
  const [section, ...rest] = parts;
  const field = rest.join(".");
  const where =
    section === "requestBody"
      ? field
        ? `request body field "${field}"`
        : "request body"
      : section === "query"
        ? field
          ? `query parameter "${field}"`
          : "query"
        : section === "path"
          ? `path parameter "${field}"`
          : section === "header"
            ? `header "${field}"`
            : "request";
  return `${where}: ${error.message ?? "is invalid"}`;
}
