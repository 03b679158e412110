import { knownSecretsOf, redact, redactUrl } from "../redact.js";
import { HttpError, type PlatformErrorBody } from "./errors.js";

/** Headers platforms use to correlate a request with their logs, most specific first. */
const REQUEST_ID_HEADERS = [
  "x-request-id",
  "x-correlation-id",
  "x-b3-traceid",
  "traceparent",
  "x-amzn-requestid",
  "x-amz-request-id",
  "request-id",
  "x-trace-id",
];

/** The request or correlation id the server sent, if any. */
export function requestIdOf(headers: { get(name: string): string | null }): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value.slice(0, 128);
  }
  return undefined;
}

/** A body read with a size cap. `truncated` means there was more than `maxBytes`. */
export interface LimitedText {
  text: string;
  truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a body and cancels the rest, so a hostile or broken server cannot
 * make passgrant buffer an unbounded body.
 */
export async function readTextLimited(response: Response, maxBytes: number): Promise<LimitedText> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks, size).toString("utf8"), truncated };
}

/** A one-line, redacted excerpt of a body for error messages. */
export function excerpt(
  text: string,
  secrets: Iterable<string | undefined> = [],
  max = 200,
): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const shown = redact(flat, secrets);
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}

/**
 * Builds an {@link HttpError} from a response the caller cannot use (for example an
 * openapi-fetch `{ error, response }` result): status, method, redacted URL, request id and a
 * short redacted body excerpt. Consumes the body unless it was already read. Besides `secrets`,
 * the excerpt masks the secrets of the session that made the call (`bearerAuth` records them on
 * the request and the response) and the credential of the `request`'s Authorization header.
 */
export async function httpErrorFromResponse(
  response: Response,
  options: {
    method?: string;
    url?: string;
    secrets?: Iterable<string>;
    hint?: string;
    /** The request that got `response`: its session's secrets are masked too. */
    request?: Request;
    /** When the server said to try again, if passgrant did not wait (see `HttpError.retryAfter`). */
    retryAfter?: Date;
    /**
     * The body when something already read it, such as openapi-fetch's `error` (its text, or
     * the JSON parsed from it): `response` is consumed by then.
     */
    body?: unknown;
  } = {},
): Promise<HttpError> {
  let body: string | undefined;
  let platformError: PlatformErrorBody | undefined;
  const alreadyRead = options.body === undefined ? undefined : bodyText(options.body);
  if (alreadyRead !== undefined || !response.bodyUsed) {
    const { text } =
      alreadyRead !== undefined
        ? { text: alreadyRead.slice(0, 4096) }
        : await readTextLimited(response, 4096).catch(() => ({ text: "" }));
    const secrets = [
      ...(options.secrets ?? []),
      ...knownSecretsOf(response),
      ...(options.request ? requestSecrets(options.request) : []),
    ];
    body = text ? excerpt(text, secrets) : undefined;
    platformError = platformErrorOf(text, secrets);
  }
  const requestId = requestIdOf(response.headers);
  return new HttpError({
    status: response.status,
    method: options.method ?? options.request?.method ?? "GET",
    url: redactUrl(options.url ?? response.url),
    ...(requestId ? { requestId } : {}),
    ...(body ? { body } : {}),
    ...(options.hint ? { hint: options.hint } : {}),
    ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}),
    ...(platformError ? { platformError } : {}),
    headers: response.headers,
  });
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  try {
    return JSON.stringify(body);
  } catch {
    return undefined;
  }
}

/** `{ code, message }` from a JSON error body (strings or numbers only), each value redacted. */
function platformErrorOf(text: string, secrets: readonly string[]): PlatformErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const { code, message } = parsed as Record<string, unknown>;
  const shown = (value: unknown) =>
    typeof value === "string" || typeof value === "number"
      ? excerpt(String(value), secrets, 500)
      : undefined;
  const result = { code: shown(code), message: shown(message) };
  if (result.code === undefined && result.message === undefined) return undefined;
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
}

/** The secrets recorded for `request`, and the credential its Authorization header carries. */
export function requestSecrets(request: Request): string[] {
  const authorization = request.headers.get("authorization");
  const credential = authorization?.replace(/^\S+\s+/, "");
  return [
    ...knownSecretsOf(request),
    ...(authorization ? [authorization] : []),
    ...(credential ? [credential] : []),
  ];
}
