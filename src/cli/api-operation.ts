import type { OpenAPIV3 } from "openapi-types";
import type { SpecDocument } from "../spec/document.js";
import { type OperationEntry, operationTable, type ParameterEntry } from "../spec/operations.js";
import { resolveRef } from "../spec/resolve-ref.js";
import { closest } from "../suggest.js";
import { UsageError } from "./args.js";

/**
 * What `passgrant api` reads from a spec about one operation: its parameters (from the operation
 * table, see ../spec/operations.ts) and its JSON body schema,
 * and how `-p NAME=VALUE` arguments become `call()`'s `path`, `query` and `header` values.
 * Value checks (formats, enums, lengths) are left to the session's spec check.
 */

/** A parameter as the operation table describes it (style and explode included). */
export type ApiParameter = ParameterEntry;

export interface ApiOperation extends OperationEntry {
  /** The request body's JSON schema, `$ref`s left as written. */
  readonly bodySchema?: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;
  readonly summary?: string;
  readonly description?: string;
}

/** `operationId` of `document`, or a usage error with the closest operationId. */
export function apiOperation(document: SpecDocument, operationId: string): ApiOperation {
  const entry = operationTable(document).get(operationId);
  if (!entry) {
    const meant = closest(operationId, operationTable(document).keys());
    throw new UsageError(
      `The spec has no operation ${JSON.stringify(operationId)}${meant ? `; did you mean ${meant}?` : "."} List them with \`passgrant api --list\`.`,
      "api",
    );
  }
  return describeOperation(document, entry);
}

/** The operation whose method and path template match `method` and `path`, if any. */
export function operationAt(
  document: SpecDocument,
  method: string,
  path: string,
): ApiOperation | undefined {
  for (const entry of operationTable(document).values()) {
    if (entry.method === method && entry.path === path) return describeOperation(document, entry);
  }
  return undefined;
}

function describeOperation(document: SpecDocument, entry: OperationEntry): ApiOperation {
  const pathItem = resolveRef<OpenAPIV3.PathItemObject>(document, document.paths[entry.path]);
  const operation = pathItem?.[entry.method.toLowerCase() as OpenAPIV3.HttpMethods];
  const body = resolveRef<OpenAPIV3.RequestBodyObject>(document, operation?.requestBody);
  const jsonType = Object.keys(body?.content ?? {}).find((type) => /json/i.test(type));
  const bodySchema = jsonType ? body?.content[jsonType]?.schema : undefined;
  return {
    ...entry,
    ...(bodySchema ? { bodySchema } : {}),
    ...(operation?.summary ? { summary: operation.summary } : {}),
    ...(operation?.description ? { description: operation.description } : {}),
  };
}

/**
 * The spec's operation at METHOD PATH: PATH as its template, or a literal path that fills the
 * template (its segments becoming the path parameters' values).
 */
export function matchOperation(
  document: SpecDocument,
  method: string,
  path: string,
): { operation: ApiOperation; pathParams: string[] } | undefined {
  const exact = operationAt(document, method, path);
  if (exact) return { operation: exact, pathParams: [] };
  for (const [template] of Object.entries(document.paths)) {
    const names: string[] = [];
    const pattern = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(name);
        return "([^/]+)";
      })
      .join("");
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (!match || names.length === 0) continue;
    const operation = operationAt(document, method, template);
    if (!operation) continue;
    const pathParams = names.flatMap((name, i) =>
      segmentParams(
        path,
        name,
        operation.parameters.find((p) => p.in === "path" && p.name === name),
        match[i + 1] as string,
      ),
    );
    return { operation, pathParams };
  }
  return undefined;
}

/**
 * A literal path's segment read back in its parameter's style (OpenAPI 3.0.3 §4.7.12.5), as `-p`
 * arguments: `.LON` for a label, `;shelf=3` for a matrix, `a,b` for an array (one per item), so
 * the session writes it again as it was given. An object has no `-p` form but JSON: it must be
 * given with the path template.
 */
function segmentParams(
  path: string,
  name: string,
  parameter: ApiParameter | undefined,
  raw: string,
): string[] {
  const refuse = (why: string) => new UsageError(`${path}: ${JSON.stringify(raw)} ${why}.`, "api");
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw refuse("is not valid percent-encoding");
    }
  };
  const style = parameter?.style ?? "simple";
  const explode = parameter?.explode ?? false;
  let body = raw;
  let separator = ",";
  if (style === "label") {
    if (!raw.startsWith(".")) throw refuse(`is no label value for ${name} (written .VALUE)`);
    body = raw.slice(1);
    if (explode) separator = ".";
  } else if (style === "matrix") {
    const prefix = `;${name}=`;
    if (!raw.startsWith(prefix))
      throw refuse(`is no matrix value for ${name} (written ${prefix}VALUE)`);
    body = raw.slice(prefix.length);
    if (explode) separator = prefix;
  }
  if (parameter?.schema.type === "object") {
    throw refuse(`holds the object ${name}: use the path template with -p ${name}=JSON`);
  }
  if (parameter?.schema.type === "array") {
    return body.split(separator).map((item) => `${name}=${decode(item)}`);
  }
  return [`${name}=${decode(body)}`];
}

/** `call()`'s parameter groups. */
export interface ParameterValues {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  header?: Record<string, unknown>;
  cookie?: Record<string, unknown>;
}

/**
 * `-p NAME=VALUE` arguments (a repeated name is an array) as the operation's parameters, each
 * coerced to its schema's type. An unknown name (with the closest one), a missing required one,
 * a repeated one that is no array and a value that is not of the type are usage errors.
 */
export function parameterValues(
  operation: ApiOperation,
  params: readonly string[],
): ParameterValues {
  const given = splitParams(params);
  const out: Record<string, Record<string, unknown>> = {};
  // Header names are case-insensitive (RFC 9110 §5.1); path and query names are not.
  const find = (name: string) =>
    operation.parameters.find((p) =>
      p.in === "header" ? p.name.toLowerCase() === name.toLowerCase() : p.name === name,
    );
  for (const [name, values] of given) {
    const parameter = find(name);
    if (!parameter) {
      const meant = closest(
        name,
        operation.parameters.map((p) => p.name),
      );
      const names = operation.parameters.map((p) => p.name).join(", ") || "none";
      throw new UsageError(
        `${operation.operationId} has no parameter ${JSON.stringify(name)}${meant ? `; did you mean ${meant}?` : "."} Its parameters: ${names}.`,
        `api ${operation.operationId}`,
      );
    }
    out[parameter.in] ??= {};
    (out[parameter.in] as Record<string, unknown>)[parameter.name] = coerce(
      operation.operationId,
      parameter,
      values,
    );
  }
  const missing = operation.parameters.filter(
    (p) => p.required && out[p.in]?.[p.name] === undefined,
  );
  if (missing.length > 0) {
    throw new UsageError(
      `${operation.operationId} needs ${missing.map((p) => `-p ${p.name}=… (${p.in})`).join(", ")}.`,
      `api ${operation.operationId}`,
    );
  }
  return out;
}

/** `NAME=VALUE` arguments grouped by name, in order. */
export function splitParams(params: readonly string[]): Map<string, string[]> {
  const given = new Map<string, string[]>();
  for (const param of params) {
    const at = param.indexOf("=");
    if (at <= 0) {
      throw new UsageError(
        `-p takes NAME=VALUE, got ${JSON.stringify(param.slice(0, 40))}.`,
        "api",
      );
    }
    const name = param.slice(0, at);
    given.set(name, [...(given.get(name) ?? []), param.slice(at + 1)]);
  }
  return given;
}

function coerce(operationId: string, parameter: ApiParameter, values: readonly string[]): unknown {
  const { schema } = parameter;
  if (schema.type === "array") {
    const items = (schema.items ?? {}) as OpenAPIV3.SchemaObject;
    return values.map((value) => scalar(operationId, parameter.name, items, value));
  }
  if (values.length > 1) {
    throw new UsageError(
      `${operationId}: ${parameter.name} takes one value (it is not an array); give -p ${parameter.name} once.`,
      `api ${operationId}`,
    );
  }
  return scalar(operationId, parameter.name, schema, values[0] as string);
}

function scalar(
  operationId: string,
  name: string,
  schema: OpenAPIV3.SchemaObject,
  value: string,
): unknown {
  const wrong = (kind: string) =>
    new UsageError(
      `${operationId}: ${name} must be ${kind}, got ${JSON.stringify(value.slice(0, 40))}.`,
      `api ${operationId}`,
    );
  switch (schema.type) {
    case "integer":
      if (!/^-?\d+$/.test(value)) throw wrong("a whole number");
      return Number(value);
    case "number": {
      const number = Number(value);
      if (value.trim() === "" || !Number.isFinite(number)) throw wrong("a number");
      return number;
    }
    case "boolean":
      if (value !== "true" && value !== "false") throw wrong("true or false");
      return value === "true";
    case "object": {
      // A shell has no syntax for a map, so an object parameter (deepObject, or form, simple,
      // label and matrix with properties) is given as JSON; the session writes it in its style.
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw wrong("a JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw wrong("a JSON object");
      return parsed;
    }
    default:
      return value;
  }
}

/**
 * A schema with local `$ref`s replaced by what they name, for `--help`: a reference met again
 * inside itself (a recursive schema) stays a `$ref`, so the output is finite.
 */
export function expandSchema(
  document: SpecDocument,
  schema: unknown,
  seen = new Set<string>(),
): unknown {
  if (Array.isArray(schema)) return schema.map((item) => expandSchema(document, item, seen));
  if (typeof schema !== "object" || schema === null) return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    if (seen.has(ref)) return { $ref: ref };
    const target = resolveRef(document, schema as OpenAPIV3.ReferenceObject);
    return target === undefined ? schema : expandSchema(document, target, new Set([...seen, ref]));
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, expandSchema(document, value, seen)]),
  );
}
