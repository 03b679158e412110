import type { OpenAPIV3 } from "openapi-types";
import type { SpecDocument } from "./document.js";
import { resolveRef } from "./resolve-ref.js";

/**
 * The operation table: what a document says about each operation that a traffic checker needs
 * (where it lives, which credentials it takes, which body, which replies), read once per
 * document with local `$ref`s followed.
 */

/** The methods OpenAPI path items may hold, in the order an `Allow` header lists them. */
export const HTTP_METHODS = [
  "get",
  "head",
  "post",
  "put",
  "delete",
  "patch",
  "options",
  "trace",
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A security scheme, reduced to how a request presents it. */
export type CredentialScheme =
  /** `Authorization: Basic` (RFC 7617). */
  | { readonly kind: "basic" }
  /** `Authorization: Bearer` (RFC 6750); oauth2 and openIdConnect schemes present tokens so too. */
  | { readonly kind: "bearer" }
  /** An API key in a header, query parameter or cookie. */
  | { readonly kind: "apiKey"; readonly in: "header" | "query" | "cookie"; readonly name: string }
  /** Anything a request check cannot see (mutualTLS, HTTP Digest, a dangling reference). */
  | { readonly kind: "unchecked"; readonly description: string };

/** One alternative of an operation's `security`: all its schemes must be presented together. */
export type SecurityAlternative = ReadonlyArray<{
  readonly name: string;
  readonly scheme: CredentialScheme;
}>;

/** Where a parameter goes (OpenAPI 3.0.3 §4.7.12.2 `in`). */
export type ParameterLocation = "path" | "query" | "header" | "cookie";

/** How a parameter's value is written on the wire (OpenAPI 3.0.3 §4.7.12.4 "Style Values"). */
export type ParameterStyle =
  | "matrix"
  | "label"
  | "form"
  | "simple"
  | "spaceDelimited"
  | "pipeDelimited"
  | "deepObject";

/** One parameter of an operation, `$ref`s followed and the spec's defaults filled in. */
export interface ParameterEntry {
  readonly name: string;
  readonly in: ParameterLocation;
  /** Always true for a path parameter (OpenAPI 3.0.3 §4.7.12.2: its `required` must be true). */
  readonly required: boolean;
  readonly schema: OpenAPIV3.SchemaObject;
  /** As written, else the default of its location: form for query and cookie, simple otherwise. */
  readonly style: ParameterStyle;
  /** As written, else true for the form style and false for every other (§4.7.12.2). */
  readonly explode: boolean;
  /** Query only: reserved characters (RFC 3986 `:/?#[]@!$&'()*+,;=`) go unencoded. */
  readonly allowReserved: boolean;
  readonly description?: string;
}

export interface OperationEntry {
  readonly operationId: string;
  /** Upper case, as on the wire. */
  readonly method: Uppercase<HttpMethod>;
  /** The path template, e.g. `/tenants/{id}`. */
  readonly path: string;
  /**
   * The alternatives of the operation's (or the document's) `security`; an empty alternative
   * (`{}`) means the call may come without credentials. No alternatives: no security at all.
   */
  readonly security: readonly SecurityAlternative[];
  /**
   * The spec says `security: []` (on the operation, or the document's when the operation says
   * nothing): the call is sent without credentials. An absent `security` is not taken for it.
   */
  readonly anonymous: boolean;
  /**
   * Its parameters: the path item's and its own, its own winning on the same name and location
   * (OpenAPI 3.0.3 §4.7.10 `parameters`).
   */
  readonly parameters: readonly ParameterEntry[];
  /** The media types the request body may come in (empty: the operation takes no body). */
  readonly requestMediaTypes: readonly string[];
  readonly bodyRequired: boolean;
  /** The documented response codes, as written (`"200"`, `"4XX"`, `"default"`). */
  readonly responseCodes: readonly string[];
  /** The first documented 2xx status, the reply of a successful call. */
  readonly successStatus: number | undefined;
}

const tables = new WeakMap<SpecDocument, ReadonlyMap<string, OperationEntry>>();

/** Every operation of `document` that has an operationId, by operationId (cached per document). */
export function operationTable(document: SpecDocument): ReadonlyMap<string, OperationEntry> {
  let table = tables.get(document);
  if (!table) {
    table = buildTable(document);
    tables.set(document, table);
  }
  return table;
}

/** The entry of `operationId`; throws when the document has no such operation. */
export function operationEntry(document: SpecDocument, operationId: string): OperationEntry {
  const entry = operationTable(document).get(operationId);
  if (!entry) throw new Error(`the OpenAPI document has no operation "${operationId}"`);
  return entry;
}

function buildTable(document: SpecDocument): Map<string, OperationEntry> {
  const table = new Map<string, OperationEntry>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const pathItem = resolveRef<OpenAPIV3.PathItemObject>(document, item);
    if (!pathItem) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation?.operationId) continue;
      const requestBody = resolveRef<OpenAPIV3.RequestBodyObject>(document, operation.requestBody);
      const responseCodes = Object.keys(operation.responses ?? {});
      const success = responseCodes.find((code) => /^2\d\d$/.test(code));
      table.set(operation.operationId, {
        operationId: operation.operationId,
        method: method.toUpperCase() as Uppercase<HttpMethod>,
        path,
        security: listOf(operation.security ?? document.security).map((requirement) =>
          Object.keys(requirement ?? {}).map((name) => ({
            name,
            scheme: schemeOf(document, name),
          })),
        ),
        anonymous: (operation.security ?? document.security)?.length === 0,
        parameters: parametersOf(document, [
          ...listOf(pathItem.parameters),
          ...listOf(operation.parameters),
        ]),
        requestMediaTypes: Object.keys(requestBody?.content ?? {}).map((type) =>
          type.toLowerCase(),
        ),
        bodyRequired: requestBody?.required === true,
        responseCodes,
        successStatus: success === undefined ? undefined : Number(success),
      });
    }
  }
  return table;
}

/**
 * A list member of the document as a list: the table skips what it cannot read (as it skips an
 * unresolved `$ref`), so `parameters: 7` in a hand-written spec is no list, not a crash.
 */
function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

const LOCATIONS: readonly string[] = [
  "path",
  "query",
  "header",
  "cookie",
] satisfies ParameterLocation[];

function parametersOf(
  document: SpecDocument,
  raw: ReadonlyArray<OpenAPIV3.ParameterObject | OpenAPIV3.ReferenceObject>,
): ParameterEntry[] {
  const byKey = new Map<string, ParameterEntry>();
  for (const item of raw) {
    const parameter = resolveRef<OpenAPIV3.ParameterObject>(document, item);
    if (!parameter || !LOCATIONS.includes(parameter.in)) continue;
    const location = parameter.in as ParameterLocation;
    const style =
      (parameter.style as ParameterStyle | undefined) ??
      (location === "query" || location === "cookie" ? "form" : "simple");
    byKey.set(`${location}:${parameter.name}`, {
      name: parameter.name,
      in: location,
      required: parameter.required === true || location === "path",
      schema: resolveRef<OpenAPIV3.SchemaObject>(document, parameter.schema) ?? {},
      style,
      explode: parameter.explode ?? style === "form",
      allowReserved: location === "query" && parameter.allowReserved === true,
      ...(parameter.description ? { description: parameter.description } : {}),
    });
  }
  return [...byKey.values()];
}

function schemeOf(document: SpecDocument, name: string): CredentialScheme {
  const scheme = resolveRef<OpenAPIV3.SecuritySchemeObject>(
    document,
    document.components?.securitySchemes?.[name],
  );
  if (!scheme) return { kind: "unchecked", description: `undefined security scheme ${name}` };
  switch (scheme.type) {
    case "http": {
      const kind = scheme.scheme.toLowerCase();
      return kind === "basic" || kind === "bearer"
        ? { kind }
        : { kind: "unchecked", description: `HTTP ${scheme.scheme} authentication` };
    }
    case "apiKey":
      return scheme.in === "header" || scheme.in === "query" || scheme.in === "cookie"
        ? { kind: "apiKey", in: scheme.in, name: scheme.name }
        : { kind: "unchecked", description: `an API key in ${scheme.in}` };
    case "oauth2":
    case "openIdConnect":
      return { kind: "bearer" };
    default:
      return { kind: "unchecked", description: `${(scheme as { type: string }).type} security` };
  }
}
