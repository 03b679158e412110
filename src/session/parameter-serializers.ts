import { serializeArrayParam, serializeObjectParam, serializePrimitiveParam } from "openapi-fetch";
import { ConfigError } from "../errors.js";
import type { ParameterEntry } from "../spec/operations.js";

/**
 * Writes an operation's parameters the way its spec says (OpenAPI 3.0.3 §4.7.12.4 "Style
 * Values", examples in §4.7.12.5), with openapi-fetch's own serialisers. openapi-fetch takes one
 * array and one object style for a whole request and reads path styles from template markers
 * (`{.id}`, `{;id*}`) a spec never writes, so each parameter's style and explode are looked up
 * here by name and location instead.
 */

/** What writing a parameter needs: where it goes and its style (defaults already filled in). */
export type ParameterWire = Pick<
  ParameterEntry,
  "name" | "in" | "style" | "explode" | "allowReserved"
>;

export interface ParameterSerializers {
  /** openapi-fetch's `pathSerializer`: fills each `{name}` of the URL in its parameter's style. */
  path(url: string, values: Record<string, unknown>): string;
  /** openapi-fetch's `querySerializer`: the query string, without `?`. */
  query(values: Record<string, unknown>): string;
  /**
   * The header parameters as strings, in the simple style (the only one §4.7.12.4 allows there),
   * and the cookie parameters as one `Cookie` header (RFC 6265 §4.2.1) in the form style (the
   * only cookie style): openapi-fetch drops `params.cookie`, so they must travel as a header.
   */
  headers(
    header: Record<string, unknown> | undefined,
    cookie: Record<string, unknown> | undefined,
  ): Record<string, string> | undefined;
}

type PathStyle = "simple" | "label" | "matrix";
type QueryStyle = "form" | "spaceDelimited" | "pipeDelimited" | "deepObject";

/** The serialisers of an operation with `parameters`; a name the spec lacks gets the defaults. */
export function parameterSerializers(parameters: readonly ParameterWire[]): ParameterSerializers {
  const find = (location: ParameterWire["in"], name: string) =>
    parameters.find((p) =>
      location === "header"
        ? p.in === "header" && p.name.toLowerCase() === name.toLowerCase()
        : p.in === location && p.name === name,
    );
  return {
    path(url, values) {
      return url.replace(/\{([^}]+)\}/g, (template, name: string) => {
        const value = values[name];
        if (value === undefined || value === null) return template;
        const parameter = find("path", name);
        return pathValue(name, value, {
          style: (parameter?.style ?? "simple") as PathStyle,
          explode: parameter?.explode ?? false,
        });
      });
    },
    query(values) {
      const parts: string[] = [];
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined || value === null) continue;
        const parameter = find("query", name);
        const part = queryValue(name, value, {
          style: (parameter?.style ?? "form") as QueryStyle,
          explode: parameter?.explode ?? true,
          allowReserved: parameter?.allowReserved ?? false,
        });
        if (part !== "") parts.push(part);
      }
      return parts.join("&");
    },
    headers(header, cookie) {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(header ?? {})) {
        if (value === undefined || value === null) continue;
        out[name] = headerValue(name, value, find("header", name)?.explode ?? false);
      }
      const pairs: string[] = [];
      for (const [name, value] of Object.entries(cookie ?? {})) {
        if (value === undefined || value === null) continue;
        pairs.push(cookiePair(name, value, find("cookie", name)?.explode ?? true));
      }
      if (pairs.length > 0) out.Cookie = pairs.join("; ");
      return header === undefined && pairs.length === 0 ? undefined : out;
    },
  };
}

/** Each route's serialisers, built once: a session sends per request, and paginates per page. */
const byRoute = new WeakMap<
  { readonly parameters?: readonly ParameterWire[] },
  ParameterSerializers
>();

/** The serialisers of `route` (an operation table entry), cached while the entry lives. */
export function serializersOf(route: {
  readonly parameters?: readonly ParameterWire[];
}): ParameterSerializers {
  let wire = byRoute.get(route);
  if (!wire) {
    wire = parameterSerializers(route.parameters ?? []);
    byRoute.set(route, wire);
  }
  return wire;
}

/**
 * One cookie in the form style: `name=value`, an array or object without explode as
 * `name=a,b` / `name=R,100,G,200`. Values are percent-encoded, as RFC 6265 §4.1.1's cookie-octet
 * excludes spaces, commas, semicolons and quotes. An exploded array or object has no cookie form
 * (form's exploded `name=a&name=b` is a query string), so it is refused rather than guessed.
 */
function cookiePair(name: string, value: unknown, explode: boolean): string {
  if (typeof value !== "object") return `${name}=${encodeURIComponent(String(value))}`;
  if (explode) {
    throw new ConfigError(
      `cookie parameter ${name}: an array or object cookie needs \`explode: false\` in the spec (form with explode has no cookie form)`,
    );
  }
  return Array.isArray(value)
    ? serializeArrayParam(name, value, { style: "form", explode: false })
    : serializeObjectParam(name, value as Record<string, unknown>, {
        style: "form",
        explode: false,
      });
}

function pathValue(
  name: string,
  value: unknown,
  options: { style: PathStyle; explode: boolean },
): string {
  if (Array.isArray(value)) return serializeArrayParam(name, value, options);
  if (typeof value === "object") {
    return serializeObjectParam(name, value as Record<string, unknown>, options);
  }
  const text = String(value);
  switch (options.style) {
    case "label":
      return `.${encodeURIComponent(text)}`;
    case "matrix":
      return `;${serializePrimitiveParam(name, text)}`;
    default:
      return encodeURIComponent(text);
  }
}

function queryValue(
  name: string,
  value: unknown,
  options: { style: QueryStyle; explode: boolean; allowReserved: boolean },
): string {
  const { style, explode, allowReserved } = options;
  if (Array.isArray(value)) {
    // An empty array has no representation in any query style: it is left out, as openapi-fetch does.
    if (value.length === 0) return "";
    // deepObject is defined for objects only; an array so declared is written as form.
    return serializeArrayParam(name, value, {
      style: style === "deepObject" ? "form" : style,
      explode,
      allowReserved,
    });
  }
  if (typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (style === "spaceDelimited" || style === "pipeDelimited") {
      // §4.7.12.5's table: keys and values joined by the delimiter, with no name; openapi-fetch
      // has no object form of these styles.
      const encode = (v: unknown) => (allowReserved ? String(v) : encodeURIComponent(String(v)));
      return Object.entries(object)
        .flatMap(([k, v]) => [encode(k), encode(v)])
        .join(style === "spaceDelimited" ? "%20" : "|");
    }
    return serializeObjectParam(name, object, { style, explode, allowReserved });
  }
  return serializePrimitiveParam(name, String(value), { allowReserved });
}

/**
 * The simple style with no percent-encoding: RFC 6570's encoding is for URIs, and a header value
 * is no URI component (a server reads `a,b` from a header, never `a%2Cb`). openapi-fetch skips its
 * encoding under `allowReserved`, so that is how its serialisers are asked for raw values.
 */
function headerValue(name: string, value: unknown, explode: boolean): string {
  const options = { style: "simple" as const, explode, allowReserved: true };
  const text = Array.isArray(value)
    ? serializeArrayParam(name, value, options)
    : typeof value === "object" && value !== null
      ? serializeObjectParam(name, value as Record<string, unknown>, options)
      : String(value);
  // RFC 9110 §5.5: a field value holds no CR, LF or NUL (fetch would throw a bare TypeError that
  // quotes the value, which may be a key). The value is not repeated here for the same reason.
  if (/[\r\n\0]/.test(text)) {
    throw new ConfigError(
      `header parameter ${name}: a header value cannot contain a line break or a NUL character (RFC 9110 §5.5)`,
    );
  }
  return text;
}
