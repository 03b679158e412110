import type { MsxOperationId } from "../spec/msx-operations.js";

/** One way the code under test broke the contract, as recorded by a mock. */
export interface ContractViolation<Id extends string = MsxOperationId> {
  /** The operation the request was routed to, when it reached one. */
  operationId: Id | undefined;
  method: string;
  /** The request path below the mock's base URL, without the query string. */
  path: string;
  /** Each mismatch, as a sentence (never a credential). */
  problems: readonly string[];
}

/**
 * Thrown by a mock's `verify()` when the code under test sent a request that does not match the
 * spec, sent one nobody expected, or left an expectation unused. A test assertion failure, not a
 * runtime error of the SDK: that is why it is not a `PassgrantError`.
 */
export class ContractViolationError extends Error {
  readonly code = "ERR_CONTRACT_VIOLATION";
  readonly violations: readonly ContractViolation<string>[];
  readonly unmet: readonly string[];

  constructor(
    baseUrl: string,
    violations: readonly ContractViolation<string>[],
    unmet: readonly string[],
    apiName = "MSX",
  ) {
    const lines = [
      ...violations.map((v) => `- ${describeViolation(v)}`),
      ...unmet.map((text) => `- ${text}`),
    ];
    super(
      `passgrant/testing: the ${apiName} mock for ${baseUrl} found ${lines.length} problem(s):\n${lines.join("\n")}`,
    );
    this.name = "ContractViolationError";
    this.violations = violations;
    this.unmet = unmet;
  }
}

/** `createTenant (POST /idm/api/v8/tenants): wrong Content-Type ...; request body: ...` */
export function describeViolation(violation: ContractViolation<string>): string {
  const where = `${violation.method} ${violation.path}`;
  const head = violation.operationId ? `${violation.operationId} (${where})` : where;
  return `${head}: ${violation.problems.join("; ")}`;
}
