import type { OpenAPIBackend } from "openapi-backend";
import { createSpecBackend, loadDocument, type SpecDocument } from "./document.js";

/** Where the spec lives: `openapi/msx.yaml` at the package root (the same depth from src/ and dist/). */
export const msxSpecUrl = new URL("../../openapi/msx.yaml", import.meta.url);

let cachedDocument: SpecDocument | undefined;

/** The parsed `openapi/msx.yaml`, read once per process. Treat it as read-only. */
export function loadMsxDocument(): SpecDocument {
  cachedDocument ??= loadDocument(msxSpecUrl);
  return cachedDocument;
}

/**
 * An initialised openapi-backend for the MSX spec, for validating requests and responses against
 * the spec itself (the sandbox routes with it; the nock kit and the tests check traffic with it).
 */
export function createMsxBackend(
  handlers: Record<string, (...args: never[]) => unknown> = {},
): Promise<OpenAPIBackend> {
  return createSpecBackend(loadMsxDocument(), handlers);
}
