/** `application/x-www-form-urlencoded`: the token endpoint's request body (RFC 6749 §4.3.2). */
export const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";
/** `application/json`. */
export const JSON_MEDIA_TYPE = "application/json";

/**
 * The media type of a Content-Type value (RFC 9110 §8.3.1): lower-cased, without parameters
 * such as `charset`. `undefined` when the header is absent or names no type.
 */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  return contentType.split(";")[0]?.trim().toLowerCase() || undefined;
}
