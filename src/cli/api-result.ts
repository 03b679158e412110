import { unexpectedExcerpt } from "../client/json-response-check.js";
import { UnexpectedResponseError } from "../client/unexpected-response-error.js";
import { knownSecretsOf, redactUrl } from "../redact.js";
import { HttpError } from "../transport/errors.js";
import { excerpt, requestIdOf } from "../transport/response-body.js";

/** What openapi-fetch resolves with. 4xx/5xx come back here as `error`, never thrown. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Checks parsed JSON before the CLI relies on it: the problem, or undefined when it fits. */
export type ShapeCheck = (data: unknown) => string | undefined;

const hints: Record<number, string> = {
  400: "The platform rejected the request as malformed: check the arguments",
  401: "The access token was not accepted: check that MSX_TOKEN_URL belongs to this platform",
  403: "The user may not do this: check the user's roles on the platform",
  404: "Not found: check the id (`passgrant tenants list` shows the ids)",
  409: "The platform refused in the tenant's current state (for example, it still has child tenants)",
};

/**
 * The data of a successful call, or an {@link HttpError} naming the call, the status, the
 * platform's own error message (redacted, shortened) and a hint for the usual causes. The
 * message masks the session's known secrets by value: servers echo the token they refused.
 * With `shape`, a 2xx whose JSON does not fit is an {@link UnexpectedResponseError}: an answer
 * from something else (a redirect to another service) must not be printed as tenants.
 */
export function expectData<T>(result: FetchResult<T>, method: string, shape?: ShapeCheck): T {
  const { response } = result;
  if (response.ok) {
    const problem = shape?.(result.data);
    if (problem !== undefined) throw wrongShape(result.data, problem, method, response);
    return result.data as T;
  }
  const requestId = requestIdOf(response.headers);
  const body = describeErrorBody(result.error, knownSecretsOf(response));
  const hint = hints[response.status];
  throw new HttpError({
    method,
    url: redactUrl(response.url),
    status: response.status,
    ...(requestId ? { requestId } : {}),
    ...(body ? { body } : {}),
    ...(hint ? { hint } : {}),
  });
}

/**
 * A session call's {@link HttpError} as {@link expectData} words it: the platform's error as
 * `CODE: message`, and the hint for the status. Anything else is returned as it is.
 */
export function describedHttpError(error: unknown): unknown {
  if (!(error instanceof HttpError)) return error;
  const { method, url, status, requestId, retryAfter, platformError, headers } = error;
  const hint = hints[status];
  const body =
    platformError?.message === undefined
      ? error.body
      : platformError.code
        ? `${platformError.code}: ${platformError.message}`
        : platformError.message;
  return new HttpError(
    {
      method,
      url,
      status,
      ...(hint !== undefined ? { hint } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(platformError !== undefined ? { platformError } : {}),
      ...(headers !== undefined ? { headers } : {}),
    },
    { cause: error.cause },
  );
}

/** A spec `Tenant` as far as the CLI relies on it: an object with string `id` and `name`. */
export const tenantShape: ShapeCheck = (data) => {
  if (!isObject(data)) return `expected a tenant object, got ${describeJson(data)}`;
  if (typeof data.id !== "string" || data.id === "") return "the tenant has no string id";
  if (typeof data.name !== "string") return "the tenant has no string name";
  return undefined;
};

/** A spec `TenantsPage`: `contents` an array of tenants, `hasNext` a boolean, numbers numbers. */
export const tenantPageShape: ShapeCheck = (data) => {
  if (!isObject(data)) return `expected a page object, got ${describeJson(data)}`;
  if (!Array.isArray(data.contents)) return "contents is not an array";
  if (typeof data.hasNext !== "boolean") return "hasNext is not a boolean";
  for (const field of ["page", "totalItems"] as const) {
    if (data[field] !== undefined && !Number.isSafeInteger(data[field])) {
      return `${field} is not an integer`;
    }
  }
  for (const [index, item] of data.contents.entries()) {
    const problem = tenantShape(item);
    if (problem !== undefined) return `contents[${index}]: ${problem}`;
  }
  return undefined;
};

function wrongShape(
  data: unknown,
  problem: string,
  method: string,
  response: Response,
): UnexpectedResponseError {
  return UnexpectedResponseError.about(response, {
    method,
    problem: `JSON of the wrong shape (${problem})`,
    excerpt: unexpectedExcerpt(jsonStart(data), undefined, response),
    hint: "The request may have been redirected to another service: check MSX_BASE_URL",
  });
}

/** The start of `data` as JSON, for an excerpt (the error path only). */
function jsonStart(data: unknown): string {
  try {
    return (JSON.stringify(data) ?? String(data)).slice(0, 2000);
  } catch {
    return String(data);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === undefined) return "an empty body";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The spec's `Error` body as `CODE: message`; anything else as a short excerpt. */
function describeErrorBody(error: unknown, secrets: readonly string[]): string | undefined {
  if (error === undefined || error === null || error === "") return undefined;
  if (typeof error === "object" && "message" in error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return excerpt(code ? `${String(code)}: ${String(message)}` : String(message), secrets);
  }
  return excerpt(typeof error === "string" ? error : JSON.stringify(error), secrets);
}
