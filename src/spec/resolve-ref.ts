import type { OpenAPIV3 } from "openapi-types";
import type { SpecDocument } from "./document.js";

// Apart from document.ts, which loads openapi-backend, ajv-formats and yaml when it is imported:
// the operation table and `passgrant api`'s argument parsing follow $refs without them.

/**
 * Follows a local `$ref` (`#/components/...`, RFC 6901 pointer) to what it names; other values
 * are returned as they are. `undefined` for a dangling or remote reference.
 */
export function resolveRef<T extends object>(
  document: SpecDocument,
  value: T | OpenAPIV3.ReferenceObject | undefined,
): T | undefined {
  let current: unknown = value;
  for (let hops = 0; hops < 32 && isReference(current); hops += 1) {
    if (!current.$ref.startsWith("#/")) return undefined;
    current = current.$ref
      .slice(2)
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>(
        (node, key) =>
          typeof node === "object" && node !== null
            ? (node as Record<string, unknown>)[key]
            : undefined,
        document,
      );
  }
  return isReference(current) ? undefined : (current as T | undefined);
}

function isReference(value: unknown): value is OpenAPIV3.ReferenceObject {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { $ref?: unknown }).$ref === "string"
  );
}
