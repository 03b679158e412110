import type { Middleware } from "openapi-fetch";
import { knownSecretsOf } from "../redact.js";
import { excerpt, requestSecrets } from "../transport/response-body.js";
import { UnexpectedResponseError } from "./unexpected-response-error.js";

/** How much of a bad body an error quotes (then shortened and redacted by `excerpt`). */
const EXCERPT_SOURCE_CHARS = 2000;

/**
 * openapi-fetch middleware: a 2xx answer the client will parse as JSON must be JSON. Without
 * it, an SSO login page or a proxy's notice served with 200 ends in a bare `SyntaxError` from
 * `JSON.parse`, naming neither the call nor what came back. With it, reading the body throws an
 * {@link UnexpectedResponseError} (method, redacted URL, status, content type, redacted excerpt).
 *
 * Cheap on the hot path: nothing is read here. The response's `json()` and `text()` are wrapped
 * so that the one read openapi-fetch makes is checked: `json()` (bodies with a Content-Length)
 * parses once; `text()` (chunked bodies) parses once more than openapi-fetch alone would.
 * The check must run after any middleware that replaces the response (`bearerAuth`'s replay):
 * register it first, as `createApiClient` does.
 */
export function jsonResponseCheck(): Middleware {
  return {
    onResponse({ request, response, options }) {
      if (
        !response.ok ||
        options.parseAs !== "json" ||
        response.status === 204 ||
        request.method === "HEAD"
      ) {
        return undefined;
      }
      guardJson(request, response);
      return undefined;
    },
  };
}

function guardJson(request: Request, response: Response): void {
  const readText = response.text.bind(response);
  const parse = (raw: string): unknown => {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw notJson(request, response, raw, error);
    }
  };
  Object.defineProperties(response, {
    text: {
      configurable: true,
      value: async () => {
        const raw = await readText();
        if (raw !== "") parse(raw);
        return raw;
      },
    },
    json: { configurable: true, value: async () => parse(await readText()) },
  });
}

function notJson(
  request: Request,
  response: Response,
  raw: string,
  cause: unknown,
): UnexpectedResponseError {
  const contentType = response.headers.get("content-type") ?? undefined;
  const html = /html/i.test(contentType ?? "") || /^\s*<(!doctype|html|head|body)/i.test(raw);
  return UnexpectedResponseError.about(
    response,
    {
      method: request.method,
      url: response.url || request.url,
      problem: html ? "an HTML page instead of JSON" : "a body that is not valid JSON",
      excerpt: unexpectedExcerpt(raw, request, response),
      ...(html
        ? {
            hint: "The request may have been redirected to a login page or answered by a proxy or SSO portal: check baseUrl and the proxy settings",
          }
        : {}),
    },
    { cause },
  );
}

/** A short, redacted excerpt of a body, masking the secrets of the session that made the call. */
export function unexpectedExcerpt(raw: string, request?: Request, response?: Response): string {
  const secrets = [
    ...(response ? knownSecretsOf(response) : []),
    ...(request ? requestSecrets(request) : []),
  ];
  return excerpt(raw.slice(0, EXCERPT_SOURCE_CHARS), secrets);
}
