import type { OpenAPIBackend } from "openapi-backend";
import {
  decodeBasicCredentials,
  formDecodedCredentials,
  splitAuthorization,
} from "../spec/basic-credentials.js";
import { bearerCredentials } from "../spec/bearer-token.js";
import { createSpecBackend, type SpecDocument } from "../spec/document.js";
import { parseForm } from "../spec/form.js";
import { FORM_MEDIA_TYPE, mediaTypeOf } from "../spec/media-type.js";
import { loadMsxDocument } from "../spec/msx-spec.js";
import {
  type CredentialScheme,
  type OperationEntry,
  operationEntry,
  type SecurityAlternative,
} from "../spec/operations.js";
import { describeLabelled } from "../spec/validation-errors.js";
import { checkFormClientAuth, UNEXPECTED_SECRET } from "./client-auth-check.js";
import type { MockClient } from "./expectation-types.js";

/**
 * Checks one intercepted request against an OpenAPI document: the route, parameters and body
 * through openapi-backend's `validateRequest`, plus what that validator does not look at (the
 * request's media type and the credentials of the security scheme the operation declares).
 * Every finding is a sentence a test failure can show as is; none carries a credential.
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
  /** The absolute URL, without the query: what a client assertion names as its audience. */
  url: string;
}

/** Expectations about credentials that a spec cannot state (it names schemes, not values). */
export interface CredentialExpectations {
  /** The client a token endpoint expects (in a Basic header, or in the form). */
  client?: MockClient;
  /** Bearer tokens the operations may carry; empty means any non-empty token. */
  acceptedTokens?: ReadonlySet<string>;
  /** The one bearer token this request must carry (e.g. the renewed token after a 401). */
  requiredToken?: string;
  /** API keys by security scheme name; a scheme not listed takes any non-empty key. */
  apiKeys?: Readonly<Record<string, string>>;
}

const backends = new WeakMap<SpecDocument, Promise<OpenAPIBackend>>();

/** One validator per document: building it compiles every schema (hundreds of milliseconds). */
export function backendFor(document: SpecDocument): Promise<OpenAPIBackend> {
  let backend = backends.get(document);
  if (!backend) {
    backend = createSpecBackend(document);
    backends.set(document, backend);
  }
  return backend;
}

/** The validator of the bundled MSX spec. */
export function sharedBackend(): Promise<OpenAPIBackend> {
  return backendFor(loadMsxDocument());
}

/**
 * Parses the request body the way the operation's media type says (form fields, JSON, or the
 * text); `problems` gets what is off.
 */
export function parseBody(
  entry: OperationEntry,
  request: WireRequest,
  problems: string[],
): unknown {
  if (request.bodyText === "") return undefined;
  if (isFormOperation(entry)) {
    const { fields, repeated } = parseForm(request.bodyText);
    for (const name of repeated) problems.push(`form field "${name}" appears more than once`);
    for (const [name, value] of Object.entries(fields)) {
      if (value === "undefined") {
        problems.push(
          `form field "${name}" is the string "undefined" (an undefined value was serialised; leave the field out instead)`,
        );
      }
    }
    return fields;
  }
  try {
    return JSON.parse(request.bodyText) as unknown;
  } catch {
    if (entry.requestMediaTypes.some(isJsonMediaType)) {
      problems.push("the request body is not valid JSON");
    }
    return request.bodyText;
  }
}

/** Everything wrong with `request` as a call of `operationId`; empty when it is a valid call. */
export async function checkRequest(
  document: SpecDocument,
  operationId: string,
  request: WireRequest,
  credentials: CredentialExpectations = {},
): Promise<string[]> {
  const entry = operationEntry(document, operationId);
  const problems: string[] = [];
  problems.push(...checkContentType(entry, request));
  const body = parseBody(entry, request, problems);
  problems.push(...(await checkSecurity(entry, request, body, credentials)));

  const backend = await backendFor(document);
  const result = backend.validateRequest(
    {
      method: request.method.toLowerCase(),
      path: withoutApiKeys(entry, request.pathWithQuery),
      headers: { ...request.headers },
      ...(body === undefined ? {} : { body }),
    },
    operationId,
  );
  for (const error of result.errors ?? []) problems.push(describeLabelled(error));
  return problems;
}

/**
 * The path without API keys in its query: a security scheme's parameter is not among the
 * operation's declared parameters, and the validator would call it an unknown one.
 */
function withoutApiKeys(entry: OperationEntry, pathWithQuery: string): string {
  const names = entry.security.flatMap((alternative) =>
    alternative.flatMap(({ scheme }) =>
      scheme.kind === "apiKey" && scheme.in === "query" ? [scheme.name] : [],
    ),
  );
  const at = pathWithQuery.indexOf("?");
  if (names.length === 0 || at < 0) return pathWithQuery;
  const query = new URLSearchParams(pathWithQuery.slice(at + 1));
  for (const name of names) query.delete(name);
  const rest = query.toString();
  return `${pathWithQuery.slice(0, at)}${rest ? `?${rest}` : ""}`;
}

function isFormOperation(entry: OperationEntry): boolean {
  return entry.requestMediaTypes.includes(FORM_MEDIA_TYPE);
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/** Whether `given` is one of `accepted`, which may hold ranges (`image/*`, `*\/*`). */
function accepts(accepted: readonly string[], given: string): boolean {
  return accepted.some(
    (range) =>
      range === given ||
      range === "*/*" ||
      (range.endsWith("/*") && given.startsWith(range.slice(0, -1))),
  );
}

function checkContentType(entry: OperationEntry, request: WireRequest): string[] {
  const accepted = entry.requestMediaTypes;
  const contentType = request.headers["content-type"];
  const expected = accepted.join(" or ");
  if (accepted.length === 0) {
    return request.bodyText === ""
      ? []
      : [
          `the operation takes no request body, but one was sent (${request.bodyText.length} bytes)`,
        ];
  }
  if (request.bodyText === "") {
    return entry.bodyRequired ? [`the request body is missing (expected ${expected})`] : [];
  }
  if (contentType === undefined) {
    return [`the Content-Type header is missing (expected ${expected})`];
  }
  const given = mediaTypeOf(contentType) ?? "";
  if (given !== FORM_MEDIA_TYPE && accepts(accepted, given)) return [];
  if (!isFormOperation(entry))
    return [`wrong Content-Type "${contentType}" (expected ${expected})`];
  // Exact, as openapi-fetch needs it to serialise a form: it sends JSON under any other value.
  // `;charset=UTF-8` is what fetch itself adds to a URLSearchParams body, so it is tolerated.
  const exact = /^application\/x-www-form-urlencoded(\s*;\s*charset=utf-8)?$/i.test(
    contentType.trim(),
  );
  const problems: string[] = [];
  if (!exact) {
    problems.push(`wrong Content-Type "${contentType}" (expected exactly ${FORM_MEDIA_TYPE})`);
  }
  if (/^\s*[[{]/.test(request.bodyText)) {
    problems.push(
      `the body is JSON, not form-encoded (expected ${FORM_MEDIA_TYPE} fields such as a=1&b=2)`,
    );
  }
  return problems;
}

/**
 * The credentials of the operation's security requirement. A request passes when it satisfies
 * one alternative; otherwise it hears what is wrong with the first one the operation lists.
 *
 * The empty alternative (`{}`) usually means "no credentials needed". On an OAuth token endpoint
 * (a form body, Basic as the other alternative) it means client credentials in the form instead
 * (`client_id` with `client_secret`, RFC 6749 §2.3.1; `client_id` alone for a public client or
 * one with a TLS client certificate, RFC 8705 §2; or a client assertion, RFC 7523 §2.2).
 */
async function checkSecurity(
  entry: OperationEntry,
  request: WireRequest,
  body: unknown,
  credentials: CredentialExpectations,
): Promise<string[]> {
  const alternatives = entry.security.filter((alternative) => alternative.length > 0);
  if (alternatives.length === 0) return [];
  const anonymous = alternatives.length < entry.security.length;
  const tokenEndpoint =
    anonymous &&
    isFormOperation(entry) &&
    alternatives.some((alternative) => alternative.some((s) => s.scheme.kind === "basic"));
  if (anonymous && !tokenEndpoint) return [];
  if (tokenEndpoint) {
    const form = isRecord(body) ? body : {};
    const hasAuthorization = Boolean(request.headers.authorization?.trim());
    const inForm = checkFormClientAuth(form, hasAuthorization, request.url, credentials.client);
    if (inForm) return inForm;
  }
  let first: string[] | undefined;
  for (const alternative of alternatives) {
    const problems = checkAlternative(alternative, request, credentials, tokenEndpoint);
    if (problems.length === 0) return [];
    first ??= problems;
  }
  return first ?? [];
}

function checkAlternative(
  alternative: SecurityAlternative,
  request: WireRequest,
  credentials: CredentialExpectations,
  tokenEndpoint: boolean,
): string[] {
  return alternative.flatMap(({ name, scheme }) =>
    checkScheme(name, scheme, request, credentials, tokenEndpoint),
  );
}

function checkScheme(
  name: string,
  scheme: CredentialScheme,
  request: WireRequest,
  credentials: CredentialExpectations,
  tokenEndpoint: boolean,
): string[] {
  switch (scheme.kind) {
    case "unchecked":
      return [];
    case "apiKey":
      return checkApiKey(name, scheme, request, credentials.apiKeys?.[name]);
    default:
      break;
  }
  const expected = scheme.kind === "basic" ? "Basic" : "Bearer";
  const parts = splitAuthorization(request.headers.authorization);
  if (!parts) {
    const why =
      scheme.kind === "basic"
        ? tokenEndpoint
          ? ", and the form has no client_id either (the token endpoint needs the client id and secret)"
          : ` (security scheme ${name} needs a user id and password)`
        : ` (security scheme ${name} needs an access token)`;
    return [`the ${expected} Authorization header is missing${why}`];
  }
  if (parts.scheme.toLowerCase() !== expected.toLowerCase()) {
    return [`the Authorization header uses the ${parts.scheme} scheme (expected ${expected})`];
  }
  if (parts.credentials === "") return [`the ${expected} Authorization header has no credentials`];
  if (scheme.kind === "basic") return checkBasic(parts.credentials, credentials.client);
  const bearer = bearerCredentials(request.headers.authorization);
  return bearer.kind === "token"
    ? checkBearer(bearer.token, credentials)
    : ["the Bearer credentials are not one token of visible ASCII characters (RFC 6750 §2.1)"];
}

function checkApiKey(
  name: string,
  scheme: Extract<CredentialScheme, { kind: "apiKey" }>,
  request: WireRequest,
  expected: string | undefined,
): string[] {
  const where = `the ${scheme.in === "query" ? "query parameter" : scheme.in} ${JSON.stringify(scheme.name)}`;
  const value = apiKeyValue(scheme, request);
  if (value === undefined || value === "") {
    return [`the API key is missing: security scheme ${name} expects it in ${where}`];
  }
  return expected === undefined || value === expected
    ? []
    : [`the API key in ${where} is not the expected one (security scheme ${name})`];
}

function apiKeyValue(
  scheme: Extract<CredentialScheme, { kind: "apiKey" }>,
  request: WireRequest,
): string | undefined {
  switch (scheme.in) {
    case "header":
      return request.headers[scheme.name.toLowerCase()];
    case "query":
      return (
        new URL(request.pathWithQuery, "http://kit.invalid").searchParams.get(scheme.name) ??
        undefined
      );
    default: {
      for (const pair of (request.headers.cookie ?? "").split(";")) {
        const [key, ...rest] = pair.trim().split("=");
        if (key === scheme.name) return rest.join("=");
      }
      return undefined;
    }
  }
}

function checkBasic(
  credential: string,
  client: CredentialExpectations["client"] | undefined,
): string[] {
  const raw = decodeBasicCredentials(credential);
  if (!raw) return ["the Basic credentials are not base64 of client_id:client_secret"];
  if (!client) return [];
  // RFC 6749 §2.3.1 form-encodes id and secret before base64; many servers expect them raw.
  const decoded = formDecodedCredentials(raw);
  if (raw.id !== client.clientId && decoded?.id !== client.clientId) {
    return [
      `the Basic credentials name client id ${JSON.stringify(raw.id)} (expected ${JSON.stringify(client.clientId)})`,
    ];
  }
  if (!client.clientSecret) return raw.secret === "" ? [] : [UNEXPECTED_SECRET];
  return raw.secret === client.clientSecret || decoded?.secret === client.clientSecret
    ? []
    : ["the Basic credentials carry the wrong client secret"];
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

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
