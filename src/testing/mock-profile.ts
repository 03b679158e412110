import type { SeenRequest } from "./matcher.js";

/**
 * What makes a mock of one particular API more than the generic one (the MSX mock: fixtures
 * shaped by the request, RFC 6749 error bodies, tokens it issued). Internal to the kit.
 */
export interface MockProfile {
  /** Names the API in `verify()`'s message. */
  readonly apiName: string;
  /** The reply when the test gives no body; `undefined` falls back to the spec's examples. */
  defaultReply?(
    operationId: string,
    request: SeenRequest,
  ): { status: number; body: unknown } | undefined;
  /** The body of a violation reply (status `VIOLATION_STATUS`). */
  violationBody?(operationId: string | undefined, message: string): unknown;
  /** The body of an error status the test gave without a body. */
  errorBody?(operationId: string, status: number): unknown;
  /** Headers a reply of this operation and status carries unless the test overrides them. */
  replyHeaders?(operationId: string, status: number): Record<string, string>;
  /** Bearer tokens to accept besides the configured ones (e.g. the ones the mock issued). */
  issuedTokens?(): Iterable<string>;
  /** Sees every expected reply sent (e.g. to learn the tokens it issues). */
  onReply?(operationId: string, status: number, body: unknown): void;
}
