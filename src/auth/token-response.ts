import type { components } from "../../generated/msx.js";
import { PassgrantError } from "../errors.js";
import { redact, redactUrl } from "../redact.js";
import type { FormReply } from "../transport/form-post.js";
import { excerpt, requestIdOf } from "../transport/response-body.js";
import { OAuthError } from "./oauth-error.js";
import { TokenEndpointHttpError } from "./token-endpoint-http-error.js";
import { TokenResponseError } from "./token-response-error.js";
import type { TokenSet } from "./types.js";

type AccessToken = components["schemas"]["AccessToken"];
/** Token responses are a few kilobytes; anything past this is not one. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * The longest lifetime passgrant believes of a token: 24 hours. `expires_in` is in seconds
 * (RFC 6749 §5.1); a server that sends milliseconds (3600000 for an hour) would otherwise pin a
 * cached token 1,000 times too long, and 1e308 forever. Password-grant access tokens live
 * minutes to hours, so a day leaves every real lifetime alone; a longer one is read as 24 h
 * with a warning, which only makes passgrant renew earlier than needed, never later.
 */
export const MAX_EXPIRES_IN_SECONDS = 24 * 60 * 60;

/**
 * RFC 6749 Appendix A.12 and A.17: `access-token = 1*VSCHAR`, `refresh-token = 1*VSCHAR`
 * (%x20-7E). A token with control characters is refused: it would be printed raw by
 * `passgrant token` (an ESC sequence reaching the terminal) and could split a header.
 */
const VSCHAR_TOKEN = /^[\x20-\x7e]+$/;
const VSCHAR_OR_EMPTY = /^[\x20-\x7e]*$/;
const VSCHAR_MESSAGE = "must hold only visible ASCII characters (RFC 6749 Appendix A.12)";
const NUMERIC_STRING = /^\s*-?\d+(\.\d+)?\s*$/;

/** The RFC 6749 §5.1 members passgrant reads, as checked by {@link checkTokenMembers}. */
interface TokenMembers {
  access_token: string;
  token_type?: string | null | undefined;
  expires_in?: number | string | null | undefined;
  refresh_token?: string | null | undefined;
  scope?: string | null | undefined;
}

// The members checked here are members of the spec's AccessToken (types flow from the spec).
const keysAreInSpec: keyof TokenMembers extends keyof AccessToken ? true : never = true;
void keysAreInSpec;

/** One member's problem: where, what is wrong, and whether the member is missing or mistyped. */
interface MemberProblem {
  member: keyof TokenMembers;
  message: string;
  /** The member is absent or not of its type (as opposed to a value of the wrong format). */
  wrongType: boolean;
}

/**
 * RFC 6749 §5.1, with the tolerance real servers need: `expires_in` may be a numeric string,
 * optional members may be `null`. Unknown members pass through (the platform adds `tenantId`,
 * `roles`, ...). Values never reach the problems: only member names and expected types do.
 *
 * Checked by hand rather than with a schema library: this runs for every `passgrant token`, and
 * loading one (zod: ~95 modules) cost more than the rest of `import("passgrant")` together.
 */
function checkTokenMembers(body: Record<string, unknown>): MemberProblem[] {
  const problems: MemberProblem[] = [];
  const optionalString = (member: keyof TokenMembers, format?: RegExp): void => {
    const value = body[member];
    if (value === undefined || value === null) return;
    if (typeof value !== "string") {
      problems.push({
        member,
        message: `expected string, got ${typeName(value)}`,
        wrongType: true,
      });
    } else if (format && !format.test(value)) {
      problems.push({ member, message: VSCHAR_MESSAGE, wrongType: false });
    }
  };

  const accessToken = body.access_token;
  if (typeof accessToken !== "string") {
    problems.push({
      member: "access_token",
      message: `expected string, got ${typeName(accessToken)}`,
      wrongType: true,
    });
  } else if (accessToken === "") {
    problems.push({
      member: "access_token",
      message: "must be a non-empty string",
      wrongType: true,
    });
  } else if (!VSCHAR_TOKEN.test(accessToken)) {
    problems.push({ member: "access_token", message: VSCHAR_MESSAGE, wrongType: false });
  }
  optionalString("token_type");
  const expiresIn = body.expires_in;
  if (
    expiresIn !== undefined &&
    expiresIn !== null &&
    !(typeof expiresIn === "number" && Number.isFinite(expiresIn)) &&
    !(typeof expiresIn === "string" && NUMERIC_STRING.test(expiresIn))
  ) {
    problems.push({
      member: "expires_in",
      message: "expected a number of seconds (or a numeric string)",
      wrongType: true,
    });
  }
  // An empty refresh_token is tolerated (read as absent), as before.
  optionalString("refresh_token", VSCHAR_OR_EMPTY);
  optionalString("scope");
  return problems;
}

function typeName(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** What parsing needs from the request that produced the response. */
export interface TokenResponseContext {
  tokenUrl: string;
  /** Epoch ms when the request was sent; `expires_in` counts from about then. */
  requestedAt: number;
  /** Values to mask in excerpts and descriptions. */
  secrets: readonly string[];
  /** Appended to an `OAuthError` or `TokenEndpointHttpError` message, by error code and status. */
  hintFor: (error: string, status: number) => string | undefined;
  warn: (code: string, message: string) => void;
}

/**
 * Turns a token endpoint response into a {@link TokenSet}, or throws a typed error:
 * `OAuthError` for RFC 6749 §5.2 error bodies (any status, including a 200 with an `error`
 * member) and the platform's `{ code, message }`; `TokenEndpointHttpError` (an `HttpError`) for
 * other failures;
 * `TokenResponseError` for a 2xx that is not a usable token response.
 */
export async function parseTokenResponse(
  response: FormReply,
  context: TokenResponseContext,
): Promise<TokenSet> {
  const status = response.status;
  const requestId = requestIdOf(response.headers);
  const contentType = (response.headers.get("content-type") ?? "").toLowerCase();
  const shown = (text: string) => excerpt(text, context.secrets);
  const fail = (problem: string, body?: string, hint?: string) =>
    new TokenResponseError({
      problem: redact(problem, context.secrets),
      status,
      ...(body ? { excerpt: shown(body) } : {}),
      ...(requestId ? { requestId } : {}),
      ...(hint ? { hint } : {}),
    });

  let body: { text: string; truncated: boolean };
  try {
    body = await response.readText(MAX_TOKEN_RESPONSE_BYTES);
  } catch (error) {
    // The transport's own TimeoutError or AbortedError, from a body that stopped arriving.
    if (error instanceof PassgrantError) throw error;
    const name = (error as { name?: string }).name ?? "Error";
    throw fail(`the body could not be read (${name}); the connection broke or timed out`);
  }
  const json = body.truncated ? NOT_JSON : tryParseJson(body.text);

  if (!response.ok) {
    const oauth = json.ok ? oauthErrorFields(json.value) : undefined;
    if (oauth) throw oauthError(oauth, status, requestId, context);
    const location = isRedirect(status) ? response.headers.get("location") : null;
    // A 404 is about the URL, whatever page the server shows for it.
    const hint =
      location !== null
        ? redirectHint(location, context.tokenUrl)
        : status !== 404 && looksLikeHtml(body.text, contentType)
          ? HTML_HINT
          : context.hintFor(status === 401 ? "invalid_client" : "", status);
    throw new TokenEndpointHttpError({
      status,
      method: "POST",
      url: redactUrl(context.tokenUrl),
      ...(requestId ? { requestId } : {}),
      ...(body.text.trim() ? { body: shown(body.text) } : {}),
      ...(hint ? { hint } : {}),
    });
  }

  if (body.truncated) {
    throw fail(`the body is larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes, not a token response`);
  }
  if (body.text.trim() === "") throw fail("the body is empty");
  if (!json.ok) {
    if (looksLikeHtml(body.text, contentType)) {
      throw fail("an HTML page instead of JSON", body.text, HTML_HINT);
    }
    throw fail("the body is not valid JSON (truncated or garbled)", body.text);
  }
  if (!isPlainObject(json.value)) {
    throw fail(`expected a JSON object, got ${describeJson(json.value)}`);
  }
  const oauth = oauthErrorFields(json.value, { requireRfcError: true });
  if (oauth) throw oauthError(oauth, status, requestId, context);

  if (!/\bjson\b|\+json\b/.test(contentType)) {
    context.warn(
      "content_type_not_json",
      `The token response is JSON served as ${JSON.stringify(contentType || "no content type")}; accepted.`,
    );
  }
  const problems = checkTokenMembers(json.value);
  if (problems.length > 0) {
    const accessTokenMissing = problems.some(
      (problem) => problem.member === "access_token" && problem.wrongType,
    );
    throw fail(
      `the JSON does not match RFC 6749 §5.1 (${problems.map((p) => `${p.member}: ${p.message}`).join("; ")})`,
      undefined,
      accessTokenMissing ? "access_token must be a non-empty string" : undefined,
    );
  }
  return normalise(json.value as unknown as TokenMembers, json.value as AccessToken, context, fail);
}

function normalise(
  data: TokenMembers,
  raw: AccessToken,
  context: TokenResponseContext,
  fail: (problem: string) => TokenResponseError,
): TokenSet {
  for (const member of ["token_type", "expires_in", "refresh_token", "scope"] as const) {
    if (data[member] === null) {
      context.warn("null_member", `The token response has "${member}": null; treated as absent.`);
    }
  }
  const tokenType = "Bearer";
  if (data.token_type == null) {
    context.warn("token_type_missing", 'The token response has no token_type; assuming "Bearer".');
  } else if (data.token_type.toLowerCase() !== "bearer") {
    throw fail(
      `token_type ${JSON.stringify(data.token_type.slice(0, 40))} is not supported: passgrant sends Bearer tokens (RFC 6750)`,
    );
  } else if (data.token_type !== "Bearer" && data.token_type !== "bearer") {
    // RFC 6749 §5.1: token_type is case-insensitive; unusual casing is tolerated, but reported.
    context.warn(
      "token_type_case",
      `token_type ${JSON.stringify(data.token_type)} read as "Bearer".`,
    );
  }

  let expiresAt: number | undefined;
  if (data.expires_in == null) {
    context.warn(
      "expires_in_missing",
      "The token response has no expires_in (RFC 6749 §5.1 recommends it); the token is kept until the API rejects it.",
    );
  } else {
    if (typeof data.expires_in === "string") {
      context.warn("expires_in_string", "expires_in is a string, not a number; read as a number.");
    }
    expiresAt = context.requestedAt + saneLifetimeSeconds(Number(data.expires_in), context) * 1000;
  }

  return {
    accessToken: data.access_token,
    tokenType,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(data.refresh_token ? { refreshToken: data.refresh_token } : {}),
    ...(data.scope ? { scope: data.scope } : {}),
    raw: { ...raw },
  };
}

/**
 * `expires_in` within [0, MAX_EXPIRES_IN_SECONDS], with a warning when it was not. Zero or
 * less means "already expiring": the token serves the call that asked for it and is renewed at
 * the next one (a cached token that is already expired is never reused).
 */
function saneLifetimeSeconds(seconds: number, context: TokenResponseContext): number {
  if (seconds <= 0) {
    context.warn(
      "expires_in_not_positive",
      `expires_in is ${seconds}: the token is used for this call only and renewed at the next.`,
    );
    return 0;
  }
  if (seconds > MAX_EXPIRES_IN_SECONDS) {
    context.warn(
      "expires_in_too_long",
      `expires_in is ${seconds} s, more than ${MAX_EXPIRES_IN_SECONDS} s (24 h); read as 24 h. A server sending milliseconds instead of seconds looks like this.`,
    );
    return MAX_EXPIRES_IN_SECONDS;
  }
  return seconds;
}

const HTML_HINT =
  "`tokenUrl` should be the OAuth2 token endpoint (for MSX, https://<host>/idm/v2/token), not a " +
  "login page; a proxy or SSO portal may also be intercepting the request";

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** Token requests are sent with `redirect: "manual"`: say where the server wanted them to go. */
function redirectHint(location: string, tokenUrl: string): string {
  let target = location;
  try {
    target = new URL(location, tokenUrl).href;
  } catch {
    // shown as sent
  }
  return (
    `The token endpoint redirected to ${redactUrl(target)}; passgrant does not follow redirects ` +
    "with credentials. If that is the real token endpoint, point `tokenUrl` at it"
  );
}

interface OAuthErrorFields {
  error: string;
  errorDescription?: string;
  errorUri?: string;
}

/** RFC 6749 §5.2 `error` body, or (unless `requireRfcError`) the platform's `{ code, message }`. */
function oauthErrorFields(
  value: unknown,
  { requireRfcError = false } = {},
): OAuthErrorFields | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.error === "string" && value.error) {
    return {
      error: value.error.slice(0, 100),
      ...(typeof value.error_description === "string"
        ? { errorDescription: value.error_description.slice(0, 500) }
        : {}),
      ...(typeof value.error_uri === "string" ? { errorUri: value.error_uri.slice(0, 500) } : {}),
    };
  }
  if (requireRfcError) {
    return value.error !== undefined && value.error !== null && !("access_token" in value)
      ? { error: "invalid_response", errorDescription: "an error member that is not a string" }
      : undefined;
  }
  if (typeof value.code === "string" && value.code) {
    return {
      error: value.code.slice(0, 100),
      ...(typeof value.message === "string"
        ? { errorDescription: value.message.slice(0, 500) }
        : {}),
    };
  }
  return undefined;
}

function oauthError(
  fields: OAuthErrorFields,
  status: number,
  requestId: string | undefined,
  context: TokenResponseContext,
): OAuthError {
  const hint = context.hintFor(fields.error, status);
  return new OAuthError({
    error: excerpt(fields.error, context.secrets, 100),
    ...(fields.errorDescription
      ? { errorDescription: excerpt(fields.errorDescription, context.secrets, 300) }
      : {}),
    ...(fields.errorUri ? { errorUri: excerpt(fields.errorUri, context.secrets, 300) } : {}),
    status,
    ...(requestId ? { requestId } : {}),
    ...(hint ? { hint } : {}),
  });
}

type JsonResult = { ok: true; value: unknown } | { ok: false };
const NOT_JSON: JsonResult = { ok: false };

function tryParseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function looksLikeHtml(text: string, contentType: string): boolean {
  return contentType.includes("html") || /^\s*<(!doctype|html|head|body|\?xml)/i.test(text);
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
