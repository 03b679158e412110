import { readFileSync } from "node:fs";
import type { Document, OpenAPIBackend } from "openapi-backend";

// Optional peer dependencies (see ../peers/optional-peers.ts), loaded when this module is: a
// static import would fail at link time, before the entry point could say what to install.
const [{ OpenAPIBackend: Backend }, { default: addFormats }, { parse }] = await Promise.all([
  import("openapi-backend"),
  import("ajv-formats"),
  import("yaml"),
]);

/** Where the spec lives: `openapi/msx.yaml` at the package root (the same depth from src/ and dist/). */
export const msxSpecUrl = new URL("../../openapi/msx.yaml", import.meta.url);

let cachedDocument: Document | undefined;

/** The parsed `openapi/msx.yaml`, read once per process. Treat it as read-only. */
export function loadMsxDocument(): Document {
  cachedDocument ??= parse(readFileSync(msxSpecUrl, "utf8")) as Document;
  return cachedDocument;
}

/**
 * An initialised openapi-backend for the MSX spec, for validating requests and responses against
 * the spec itself (the sandbox routes with it; the nock kit and the tests check traffic with it).
 * `handlers` are openapi-backend handlers keyed by operationId or by its special names
 * (`notFound`, `validationFail`, `methodNotAllowed`, ...).
 */
export async function createMsxBackend(
  handlers: Record<string, (...args: never[]) => unknown> = {},
): Promise<OpenAPIBackend> {
  const backend = new Backend({
    // A private copy: openapi-backend dereferences the document in place.
    definition: structuredClone(loadMsxDocument()),
    strict: true,
    quick: false,
    validate: true,
    coerceTypes: true,
    customizeAjv: (ajv) => {
      addFormats.default(ajv);
      return ajv;
    },
  });
  backend.register(handlers as never);
  await backend.init();
  return backend;
}
