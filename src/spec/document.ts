import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { OpenAPIBackend } from "openapi-backend";
import type { OpenAPIV3 } from "openapi-types";
import { ConfigError } from "../errors.js";
import { addFormats, OpenAPIBackend as Backend, parseYaml } from "./peers.js";

/** An OpenAPI 3.x document, as parsed from YAML or JSON. Treat it as read-only. */
export type SpecDocument = OpenAPIV3.Document;

/** A document, or the path (or file URL) of a YAML or JSON file holding one. */
export type SpecSource = SpecDocument | string | URL;

/**
 * Reads an OpenAPI 3.x document. A file that cannot be read or parsed, or that is no OpenAPI 3
 * document, is a ConfigError naming the file and what to fix.
 */
export function loadDocument(source: SpecSource): SpecDocument {
  if (typeof source !== "string" && !(source instanceof URL))
    return checked(source, "the document");
  const file = source instanceof URL ? fileURLToPath(source) : source;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the OpenAPI document ${file}: check the path`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text); // YAML 1.2 is a superset of JSON: one parser reads both
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML or JSON: fix its syntax`, { cause: error });
  }
  return checked(parsed, file);
}

function checked(value: unknown, name: string): SpecDocument {
  const document = value as Partial<SpecDocument> | null;
  if (
    typeof document !== "object" ||
    document === null ||
    typeof document.openapi !== "string" ||
    !document.openapi.startsWith("3.") ||
    typeof document.paths !== "object" ||
    document.paths === null
  ) {
    throw new ConfigError(
      `${name} is not an OpenAPI 3 document (it needs "openapi: 3.x" and "paths"); convert a Swagger 2 document first`,
    );
  }
  return document as SpecDocument;
}

/**
 * An initialised openapi-backend for `document`, validating requests and responses against it.
 * `handlers` are openapi-backend handlers keyed by operationId or by its special names
 * (`notFound`, `validationFail`, `methodNotAllowed`, ...).
 */
export async function createSpecBackend(
  document: SpecDocument,
  handlers: Record<string, (...args: never[]) => unknown> = {},
): Promise<OpenAPIBackend> {
  const backend = new Backend({
    // A private copy: openapi-backend dereferences the document in place.
    definition: structuredClone(document),
    strict: true,
    // Quick mode dereferences synchronously and compiles each operation's validators on first
    // use. The full mode also checks the whole document against the OpenAPI meta-schema and
    // compiles every operation up front: 1.3 s for a 34-operation spec, paid by every
    // `passgrant api` call and every sandbox start to check one request. loadDocument's shape
    // check stays, and a schema ajv cannot compile still fails when its operation is first used.
    quick: true,
    validate: true,
    coerceTypes: true,
    // ajv logs schema warnings (an unknown format, a strict-mode remark) to the console: text
    // from the document, printed raw on a CLI's terminal. The checks behave the same without.
    ajvOpts: { logger: false },
    customizeAjv: (ajv) => {
      addFormats.default(ajv);
      return ajv;
    },
  });
  backend.register(handlers as never);
  await backend.init();
  return backend;
}
