import { z } from "zod";
import { type MsxOperationId, msxOperations } from "../spec/msx-operations.js";

/**
 * A fault to inject into the next matching requests: answer with `status`, wait `delayMs` first,
 * or `drop` the connection without answering. A rule with no matcher matches every request
 * (except the `/__sandbox` admin surface).
 */
export interface FaultRule {
  /** Match by the spec's operationId, e.g. "getTenantsPage". */
  operationId?: string;
  /** Match by HTTP method (any case). */
  method?: string;
  /** Match by exact pathname, e.g. "/idm/v2/token". */
  path?: string;
  /** How many matching requests the rule applies to (default 1). */
  count?: number;
  /** Reply with this status (400-599) and an error body shaped like the operation's own errors. */
  status?: number;
  /** Wait this long before handling (or failing) the request. */
  delayMs?: number;
  /** Destroy the socket without a response. */
  drop?: boolean;
  /** With `status`: send `Retry-After` with this many seconds. */
  retryAfterSeconds?: number;
}

const operationIds = Object.keys(msxOperations) as [MsxOperationId, ...MsxOperationId[]];

/** Validates a FaultRule from options, `inject()` or the admin surface. */
export const faultRuleSchema = z
  .strictObject({
    operationId: z.enum(operationIds).optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, "must be an HTTP method such as GET")
      .optional(),
    path: z.string().startsWith("/", "must be a pathname starting with /").optional(),
    count: z.number().int().positive().optional(),
    status: z.number().int().min(400).max(599).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    drop: z.boolean().optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .refine((rule) => rule.status !== undefined || rule.delayMs !== undefined || rule.drop, {
    message: "a fault needs status, delayMs or drop",
  })
  .refine((rule) => !(rule.drop && rule.status !== undefined), {
    message: "drop and status exclude each other: a dropped connection has no status",
  })
  .refine((rule) => rule.retryAfterSeconds === undefined || rule.status !== undefined, {
    message: "retryAfterSeconds needs a status",
  });

/** The problems with a candidate rule, one line each, or an empty list when it is valid. */
export function faultRuleProblems(candidate: unknown): string[] {
  const result = faultRuleSchema.safeParse(candidate);
  if (result.success) return [];
  return result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
  );
}

export interface FaultTarget {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string | undefined;
}

interface PendingFault {
  readonly rule: Readonly<FaultRule>;
  remaining: number;
}

/** The rules still waiting for requests, applied in the order they were added. */
export class FaultQueue {
  #pending: PendingFault[] = [];

  /** Adds a rule that has passed {@link faultRuleSchema}. */
  add(rule: FaultRule): void {
    this.#pending.push({ rule: { ...rule }, remaining: rule.count ?? 1 });
  }

  /** The first rule matching `target`, counted as used, or undefined. */
  take(target: FaultTarget): Readonly<FaultRule> | undefined {
    if (this.#pending.length === 0) return undefined;
    const index = this.#pending.findIndex(({ rule }) => matches(rule, target));
    const pending = this.#pending[index];
    if (!pending) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.#pending.splice(index, 1);
    return pending.rule;
  }

  clear(): void {
    this.#pending = [];
  }

  get size(): number {
    return this.#pending.length;
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  return (
    (rule.operationId === undefined || rule.operationId === target.operationId) &&
    (rule.method === undefined || rule.method.toUpperCase() === target.method.toUpperCase()) &&
    (rule.path === undefined || rule.path === target.path)
  );
}
