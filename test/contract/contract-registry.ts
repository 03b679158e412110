import { it } from "vitest";
import type { MsxOperationId } from "../../src/client/msx.js";
import { loadMsxDocument } from "../../src/spec/msx-spec.js";
import { HTTP_METHODS } from "../../src/spec/operations.js";

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
  const ids: string[] = [];
  for (const [path, item] of Object.entries(loadMsxDocument().paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item?.[method];
      if (operation)
        ids.push(operation.operationId ?? `(no operationId: ${method.toUpperCase()} ${path})`);
    }
  }
  return ids.sort();
}

/** The operations of the spec that no `contractTest` in this file exercised. */
export function uncoveredOperations(): string[] {
  return specOperationIds().filter((id) => !covered.has(id));
}
