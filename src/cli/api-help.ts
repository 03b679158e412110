import type { SpecDocument } from "../spec/document.js";
import { type ApiOperation, apiOperation, expandSchema } from "./api-operation.js";
import { terminalSafe } from "./terminal-text.js";

/** `passgrant api --list` and `passgrant api OPERATION_ID --help`: what the spec says, as text. */

export /** `--list`: one line per operation, sorted by id. */
function listOperations(document: SpecDocument): string {
  const rows: string[][] = [];
  for (const [operationId] of Object.entries(collectOperations(document)).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const operation = apiOperation(document, operationId);
    rows.push([operationId, operation.method, operation.path, operation.summary ?? ""]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((row) => (row[i] ?? "").length)));
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
          .join("  ")
          .trimEnd()
          .split("\n")
          .map((line) => terminalSafe(line))
          .join(" ")}\n`,
    )
    .join("");
}

function collectOperations(document: SpecDocument): Record<string, true> {
  const out: Record<string, true> = {};
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item ?? {})) {
      const id = (operation as { operationId?: unknown } | null)?.operationId;
      if (typeof id === "string") out[id] = true;
    }
  }
  return out;
}

/** `OPERATION_ID --help`: what the spec says about the operation. */
export function describeOperation(document: SpecDocument, operation: ApiOperation): string {
  const lines = [
    `${operation.operationId}: ${operation.method} ${operation.path}`,
    ...(operation.summary ? [operation.summary] : []),
    ...(operation.description ? ["", operation.description] : []),
    "",
  ];
  if (operation.parameters.length === 0) {
    lines.push("Parameters: none");
  } else {
    lines.push("Parameters (-p NAME=VALUE):");
    const rows = operation.parameters.map((p) => [
      p.name,
      p.in,
      schemaType(p.schema),
      p.required ? "required" : "optional",
      p.description ?? "",
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
    for (const row of rows) {
      lines.push(
        `  ${row
          .map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : cell))
          .join("  ")
          .trimEnd()}`,
      );
    }
  }
  lines.push("");
  if (operation.bodySchema) {
    lines.push(
      `Body (--body, ${operation.bodyRequired ? "required" : "optional"}), JSON schema:`,
      JSON.stringify(expandSchema(document, operation.bodySchema), null, 2),
    );
  } else {
    lines.push("Body: none");
  }
  return `${lines.map((line) => terminalSafe(line, { keepNewlines: true })).join("\n")}\n`;
}

/** A parameter's schema in a few words: `integer`, `string (uuid)`, `array of string [a|b]`. */
export function schemaType(schema: {
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: unknown;
}): string {
  if (schema.type === "array") {
    return `array of ${schemaType((schema.items ?? {}) as typeof schema)}`;
  }
  const base = schema.type ?? "any";
  const format = schema.format ? ` (${schema.format})` : "";
  const values = schema.enum ? ` [${schema.enum.join("|")}]` : "";
  return `${base}${format}${values}`;
}
