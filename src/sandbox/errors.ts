import type { components } from "../../generated/msx.js";

/** The platform's error body for every non-token operation: `{ code, message }`. */
export type PlatformError = components["schemas"]["Error"];
/** The token endpoint's error body (RFC 6749 §5.2). */
export type OAuthErrorBody = components["schemas"]["OAuthError"];

/**
 * A response the sandbox sends instead of an operation's result. Handlers throw it; the server
 * writes it. The body is already shaped for the operation that failed (platform `Error` or
 * RFC 6749 error), so the server never has to guess.
 */
export class SandboxProblem extends Error {
  readonly status: number;
  readonly body: PlatformError | OAuthErrorBody;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    body: PlatformError | OAuthErrorBody,
    headers: Record<string, string> = {},
  ) {
    super("message" in body ? body.message : (body.error_description ?? body.error));
    this.name = "SandboxProblem";
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const CODES: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  408: "REQUEST_TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/** The platform-style error code for an HTTP status (`NOT_FOUND`, `INTERNAL_ERROR`, ...). */
export function codeForStatus(status: number): string {
  return CODES[status] ?? `HTTP_${status}`;
}

/** A platform `Error` response. */
export function apiProblem(
  status: number,
  message: string,
  options: { code?: string; headers?: Record<string, string> } = {},
): SandboxProblem {
  return new SandboxProblem(
    status,
    { code: options.code ?? codeForStatus(status), message },
    options.headers,
  );
}

/**
 * Headers on every token endpoint answer. RFC 6749 §5.1 requires them on a token; the platform's
 * Spring Security OAuth2 stack sends them on its §5.2 errors too.
 */
export const TOKEN_RESPONSE_HEADERS = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** An RFC 6749 §5.2 error response from the token endpoint. */
export function oauthProblem(
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): SandboxProblem {
  return new SandboxProblem(
    status,
    { error, error_description: description },
    { ...TOKEN_RESPONSE_HEADERS, ...headers },
  );
}
