import { knownSecretsOf, redactUrl } from "../redact.js";
import { excerpt, HttpError, requestIdOf } from "../transport/index.js";

/** What openapi-fetch resolves with. 4xx/5xx come back here as `error`, never thrown. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

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
 */
export function expectData<T>(result: FetchResult<T>, method: string): T {
  const { response } = result;
  if (response.ok) return result.data as T;
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

/** The spec's `Error` body as `CODE: message`; anything else as a short excerpt. */
function describeErrorBody(error: unknown, secrets: readonly string[]): string | undefined {
  if (error === undefined || error === null || error === "") return undefined;
  if (typeof error === "object" && "message" in error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return excerpt(code ? `${String(code)}: ${String(message)}` : String(message), secrets);
  }
  return excerpt(typeof error === "string" ? error : JSON.stringify(error), secrets);
}
