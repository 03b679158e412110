/**
 * Every OpenAPI document the project ships or tests with is valid OpenAPI 3, checked against the
 * meta-schema by openapi-backend's full mode. The runtime skips that check (quick mode, see
 * src/spec/document.ts) to start in milliseconds, so it is made here, once, for these documents.
 */
import { OpenAPIBackend } from "openapi-backend";
import { describe, expect, it } from "vitest";
import { loadDocument } from "../../src/spec/document.js";

const documents = [
  "../../openapi/msx.yaml",
  "../../examples/other-platform/petstore.yaml",
  "../fixtures/library-api.yaml",
  "../fixtures/orders-api.yaml",
  "../fixtures/third-party-api.yaml",
];

describe("the shipped and test OpenAPI documents", () => {
  it.each(documents)("%s is valid against the OpenAPI meta-schema", async (relative) => {
    const definition = loadDocument(new URL(relative, import.meta.url));
    const backend = new OpenAPIBackend({ definition, strict: true, quick: false });
    await expect(backend.init()).resolves.toBe(backend);
  });

  it("the full check does fail on a document that breaks the meta-schema", async () => {
    const definition = loadDocument(new URL("../../openapi/msx.yaml", import.meta.url));
    const broken = { ...definition, info: { title: 42 } } as unknown as typeof definition;
    const backend = new OpenAPIBackend({ definition: broken, strict: true, quick: false });
    await expect(backend.init()).rejects.toThrow(/not valid OpenAPI/);
  });
});
