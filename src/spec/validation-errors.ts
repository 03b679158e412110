import type { ErrorObject } from "ajv";

/**
 * Turns openapi-backend's ajv errors into sentences a person can act on. ajv messages never echo
 * the offending value, so nothing the caller sent (a password, say) can leak into them.
 *
 * Two renderings of the same subject: the sandbox answers in prose ("query parameter pageSize
 * must be <= 1000"); the nock kit labels each finding and keeps ajv's wording
 * (`query parameter "pageSize": must be <= 1000`), as its reports list several per request.
 */

/** What the describers read of an ajv error (openapi-backend types them loosely). */
export type ValidationError = Pick<ErrorObject, "instancePath" | "message"> &
  Partial<Pick<ErrorObject, "keyword" | "params">>;

/** Up to three distinct sentences, `; `-joined: the sandbox's 400 message. */
export function describeValidationErrors(errors: readonly ValidationError[]): string {
  const parseError = errors.find((error) => error.keyword === "parse");
  if (parseError) return `request body is not valid JSON: ${parseError.message ?? "parse error"}`;
  const sentences = [...new Set(errors.map(describeInProse))];
  return sentences.slice(0, 3).join("; ");
}

/** `request body field "name": must be string`: one finding of the nock kit. */
export function describeLabelled(error: ValidationError): string {
  return `${subject(segmentsOf(error), true)}: ${error.message ?? "is invalid"}`;
}

function describeInProse(error: ValidationError): string {
  const segments = segmentsOf(error);
  const params = (error.params ?? {}) as Record<string, unknown>;
  if (error.keyword === "required" && typeof params.missingProperty === "string") {
    return `${subject([...segments, params.missingProperty], false)} is required`;
  }
  if (error.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    return `${subject([...segments, params.additionalProperty], false)} is not supported by this operation`;
  }
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return `${subject(segments, false)} must be one of: ${params.allowedValues.join(", ")}`;
  }
  return `${subject(segments, false)} ${error.message ?? "is invalid"}`;
}

/** `/query/ids/1` => `["query", "ids", "1"]`, JSON-pointer escapes undone (RFC 6901 §4). */
function segmentsOf(error: ValidationError): string[] {
  return (error.instancePath ?? "")
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function subject(segments: readonly string[], quote: boolean): string {
  const [location, ...rest] = segments;
  const joined = rest.join(".");
  const name = quote && joined ? JSON.stringify(joined) : joined;
  switch (location) {
    case "query":
      return name ? `query parameter ${name}` : quote ? "query" : "the query string";
    case "path":
      return name ? `path parameter ${name}` : quote ? "path" : "the path";
    case "header":
      return name ? `header ${name}` : quote ? "headers" : "the headers";
    case "requestBody":
      return name ? `request body field ${name}` : "request body";
    case undefined:
      return quote ? "request" : "the request";
    default:
      return `${location}${name ? `.${name}` : ""}`;
  }
}
