import { ConfigError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { loadDocument, type SpecDocument } from "../spec/document.js";
import { parseYaml } from "../spec/peers.js";
import { readTextLimited } from "../transport/response-body.js";

/** The most read of a spec fetched over HTTP: the largest public specs are a few MiB. */
const MAX_SPEC_BYTES = 32 * 1024 * 1024;

/**
 * Reads an OpenAPI 3 document from a file path, a `file:` or `http(s):` URL, or a parsed
 * document. Loaded only when a session is given a spec: it pulls in the YAML parser.
 */
export async function loadSpec(
  spec: string | URL | object,
  fetch: (request: Request) => Promise<Response>,
): Promise<SpecDocument> {
  const text = typeof spec === "string" || spec instanceof URL ? String(spec) : undefined;
  if (text === undefined || !/^https?:\/\//i.test(text)) {
    return loadDocument(spec as SpecDocument | string | URL);
  }
  const shown = redactUrl(text);
  const response = await fetch(
    new Request(text, { headers: { accept: "application/yaml, application/json" } }),
  );
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new ConfigError(`spec ${shown} answered HTTP ${response.status}: check the URL`);
  }
  const body = await readTextLimited(response, MAX_SPEC_BYTES);
  if (body.truncated) {
    throw new ConfigError(
      `spec ${shown} is larger than ${MAX_SPEC_BYTES} bytes: download it and pass the file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(body.text);
  } catch (error) {
    throw new ConfigError(`spec ${shown} is not valid YAML or JSON: check the URL`, {
      cause: error,
    });
  }
  return loadDocument(parsed as SpecDocument);
}
