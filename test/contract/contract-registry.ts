import { it } from "vitest";
import type { MsxOperationId } from "../../src/client/msx.js";
import { loadMsxDocument } from "../../src/spec/msx-spec.js";

/**
 * The contract suite's bookkeeping: each contract test names the spec operation it exercises, so
 * a test can check that no operation of `openapi/msx.yaml` is left without one.
 */
const covered = new Set<string>();

/** Declares a contract test of `operationId` (registered when the file is collected). */
export function contractTest(
  operationId: MsxOperationId,
  title: string,
  body: () => Promise<void>,
): void {
  covered.add(operationId);
  it(`${operationId}: ${title}`, body);
}

/** The operation ids the spec file declares, read from the YAML (not from generated types). */
export function specOperationIds(): string[] {
  const document = loadMsxDocument() as unknown as {
    paths: Record<string, Record<string, { operationId?: string } | unknown>>;
  };
  const ids: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== "object" || operation === null || !("responses" in operation)) {
        continue;
      }
      const id = (operation as { operationId?: string }).operationId;
      ids.push(id ?? `(no operationId: ${method.toUpperCase()} ${path})`);
    }
  }
  return ids.sort();
}

/** The operations of the spec that no `contractTest` in this file exercised. */
export function uncoveredOperations(): string[] {
  return specOperationIds().filter((id) => !covered.has(id));
}
