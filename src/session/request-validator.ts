import type { OpenAPIBackend } from "openapi-backend";
import { assertPeersInstalled, SPEC_PEERS } from "../peers/optional-peers.js";
import type { SpecDocument } from "../spec/document.js";
import { describeValidationErrors, type ValidationError } from "../spec/validation-errors.js";
import { InvalidRequestError } from "./errors.js";

/**
 * Checks a call against the spec's own schemas before anything is sent (formats such as uuid,
 * maxLength, enums, required fields and parameters), through openapi-backend's ajv with
 * ajv-formats. Those optional peers (and the YAML parser) are loaded here, on the first call that
 * is checked, never when the package is imported.
 */
export type RequestCheck = (
  operationId: string,
  request: { method: string; path: string; init: Record<string, unknown> },
) => Promise<void>;

const backends = new WeakMap<SpecDocument, Promise<OpenAPIBackend>>();

/** A check for `document` (read on first use when given as a loader). */
export function createRequestCheck(
  document: SpecDocument | (() => Promise<SpecDocument>),
): RequestCheck {
  let backend: Promise<OpenAPIBackend> | undefined;
  const load = async () => {
    assertPeersInstalled("Checking session calls against the spec (validate: true)", SPEC_PEERS);
    const resolved = typeof document === "function" ? await document() : document;
    let cached = backends.get(resolved);
    if (!cached) {
      const { createSpecBackend } = await import("../spec/document.js");
      cached = createSpecBackend(resolved);
      backends.set(resolved, cached);
    }
    return cached;
  };
  return async (operationId, { method, path, init }) => {
    backend ??= load();
    const result = (await backend).validateRequest(
      {
        method,
        path: fillPath(path, init.path as Record<string, unknown> | undefined),
        query: stringValues(init.query),
        headers: {
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...lowerCased(stringValues(init.header)),
        },
        ...(init.body !== undefined ? { body: init.body as object } : {}),
      },
      operationId,
    );
    if (result.valid) return;
    const errors = (result.errors ?? []) as ValidationError[];
    const problems = [...new Set(errors.map((error) => describeValidationErrors([error])))];
    throw new InvalidRequestError(operationId, problems.length > 0 ? problems : ["is invalid"]);
  };
}

function fillPath(template: string, values: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String(values?.[name] ?? "")),
  );
}

/** Parameters as they go on the wire (strings); the spec's types are coerced back by ajv. */
function stringValues(values: unknown): Record<string, string | string[]> {
  if (typeof values !== "object" || values === null) return {};
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String) : wire(value);
  }
  return out;
}

function wire(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function lowerCased(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name.toLowerCase(), v]));
}
