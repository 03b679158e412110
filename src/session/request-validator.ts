import type { OpenAPIBackend } from "openapi-backend";
import { ConfigError } from "../errors.js";
import type { SpecDocument } from "../spec/document.js";
import { describeValidationErrors, type ValidationError } from "../spec/validation-errors.js";
import { InvalidRequestError } from "./errors.js";

/**
 * Checks a call against the spec's own schemas before anything is sent (formats such as uuid,
 * maxLength, enums, required fields and parameters), through openapi-backend's ajv with
 * ajv-formats. Those optional peers (and the YAML parser) are loaded here, on the first call that
 * is checked, never when the package is imported (src/spec/peers.ts says what to install).
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
    const resolved = typeof document === "function" ? await document() : document;
    let cached = backends.get(resolved);
    if (!cached) {
      const { createSpecBackend } = await import("../spec/document.js");
      cached = createSpecBackend(resolved);
      backends.set(resolved, cached);
    }
    return cached;
  };
  return async (operationId, { init }) => {
    backend ??= load();
    // The values are checked as they are, one per parameter, with the operation's own compiled
    // schemas: openapi-backend's validateRequest would first parse a wire request, and it reads
    // path parameters as plain segments and headers as single strings, so an array or object
    // path parameter, a label or matrix one (OpenAPI 3.0.3 §4.7.12.4) or a header array would
    // fail there although the session writes them as the spec says (parameter-serializers.ts).
    const validators = operationValidators(await backend, operationId);
    const parameters = {
      path: wireValues(init.path),
      query: wireValues(init.query),
      header: {
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...lowerCased(wireValues(init.header)),
      },
      cookie: wireValues(init.cookie),
      ...(init.body !== undefined ? { requestBody: init.body } : {}),
    };
    const errors: ValidationError[] = [];
    for (const validate of validators ?? []) {
      // ajv coerces in place (strings back to the schema's types): each gets its own copy.
      validate(structuredClone(parameters));
      errors.push(...((validate.errors ?? []) as ValidationError[]));
    }
    if (errors.length === 0) return;
    const problems = [...new Set(errors.map((error) => describeValidationErrors([error])))];
    throw new InvalidRequestError(operationId, problems.length > 0 ? problems : ["is invalid"]);
  };
}

/**
 * The operation's compiled validators. openapi-backend compiles them on first use (quick mode,
 * src/spec/document.ts), so a defect in that part of the document (a `$ref` that resolves to
 * nothing, a schema ajv cannot compile) surfaces here, as whatever it threw: a ConfigError naming
 * the operation instead.
 */
function operationValidators(backend: OpenAPIBackend, operationId: string) {
  try {
    return backend.validator.getRequestValidatorsForOperation(operationId);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : String(error);
    throw new ConfigError(
      `the OpenAPI document cannot check the arguments of ${operationId} (${reason}): fix that operation in the document (a library session can skip the check with validate: false)`,
      { cause: error },
    );
  }
}

/**
 * Values as a server reads them off the wire (strings, arrays of strings, objects of strings),
 * so the spec's types are coerced back by ajv as they would be there.
 */
function wireValues(values: unknown): Record<string, unknown> {
  if (typeof values !== "object" || values === null) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value)
      ? value.map(wire)
      : typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]))
        : wire(value);
  }
  return out;
}

function wire(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function lowerCased(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name.toLowerCase(), v]));
}
