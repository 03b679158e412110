import type { OpenAPIV3 } from "openapi-types";

/**
 * A value valid against a (dereferenced) JSON schema, for the kit's default replies: the
 * schema's own example or default when it has one, else the smallest plausible value of its type
 * that meets its bounds and formats. The kit validates what it sends against the spec anyway, so
 * a schema this cannot satisfy (a `pattern`, say) shows up as a violation, not a silent lie.
 */
export function sampleOf(schema: OpenAPIV3.SchemaObject | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return undefined;
  const given = schema as { example?: unknown; examples?: unknown; const?: unknown };
  if (given.example !== undefined) return given.example;
  if (Array.isArray(given.examples) && given.examples.length > 0) return given.examples[0];
  if (given.const !== undefined) return given.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf) return mergeAll(schema.allOf, depth);
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alternative) return sampleOf(alternative as OpenAPIV3.SchemaObject, depth + 1);
  switch (schema.type ?? (schema.properties ? "object" : undefined)) {
    case "object":
      return objectSample(schema, depth);
    case "array": {
      const item = sampleOf(
        (schema as OpenAPIV3.ArraySchemaObject).items as OpenAPIV3.SchemaObject,
        depth + 1,
      );
      const count = Math.min(Math.max(schema.minItems ?? 1, 1), schema.maxItems ?? 1);
      return item === undefined ? [] : Array.from({ length: count }, () => item);
    }
    case "string":
      return stringSample(schema);
    case "integer":
    case "number":
      return numberSample(schema);
    case "boolean":
      return true;
    default:
      return schema.nullable ? null : undefined;
  }
}

function objectSample(schema: OpenAPIV3.SchemaObject, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const value = sampleOf(property as OpenAPIV3.SchemaObject, depth + 1);
    // Optional members only near the top: deep optional structure adds noise, not realism.
    if (value !== undefined && (required.has(name) || depth < 2)) result[name] = value;
  }
  return result;
}

function mergeAll(parts: readonly unknown[], depth: number): unknown {
  const samples = parts.map((part) => sampleOf(part as OpenAPIV3.SchemaObject, depth + 1));
  if (samples.every((s) => typeof s === "object" && s !== null && !Array.isArray(s))) {
    return Object.assign({}, ...samples);
  }
  return samples.find((s) => s !== undefined);
}

const FORMATS: Readonly<Record<string, string>> = {
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  uuid: "00000000-0000-4000-8000-000000000000",
  email: "user@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  hostname: "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  byte: "AA==",
};

function stringSample(schema: OpenAPIV3.SchemaObject): string {
  const fixed = schema.format ? FORMATS[schema.format] : undefined;
  if (fixed !== undefined) return fixed;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 6);
  return "string".padEnd(min, "x").slice(0, Math.max(min, Math.min(6, max)));
}

function numberSample(schema: OpenAPIV3.SchemaObject): number {
  const step = schema.type === "integer" ? 1 : 0.5;
  let value = schema.minimum ?? (schema.maximum !== undefined ? Math.min(0, schema.maximum) : 0);
  if (schema.exclusiveMinimum === true || typeof schema.exclusiveMinimum === "number") {
    value =
      Math.max(value, Number(schema.exclusiveMinimum === true ? value : schema.exclusiveMinimum)) +
      step;
  }
  if (schema.type === "integer") value = Math.ceil(value);
  return value;
}
