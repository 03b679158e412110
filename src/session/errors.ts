import { PassgrantError } from "../errors.js";
import { closest } from "../suggest.js";

/** `session.call()` or `paginate()` named an operationId the session's spec does not have. */
export class UnknownOperationError extends PassgrantError {
  readonly operationId: string;
  /** The closest operationId of the spec, when one is close enough to be what was meant. */
  readonly suggestion?: string;

  constructor(operationId: string, known: Iterable<string>) {
    const suggestion = closest(operationId, known);
    super(
      "ERR_UNKNOWN_OPERATION",
      `The OpenAPI document has no operation ${JSON.stringify(operationId)}${
        suggestion
          ? `: did you mean ${JSON.stringify(suggestion)}?`
          : ": check the operationId in the spec"
      }`,
    );
    this.operationId = operationId;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

/**
 * A call the spec forbids, refused before anything was sent: a missing path parameter, or (with
 * the document's schemas) a value breaking a constraint. Never quotes the value itself.
 */
export class InvalidRequestError extends PassgrantError {
  readonly operationId: string;
  /** What was wrong, e.g. `path parameter id is required`, `request body field name must NOT have more than 64 characters`. */
  readonly problems: readonly string[];

  constructor(operationId: string, problems: readonly string[]) {
    super(
      "ERR_INVALID_REQUEST",
      `${operationId}: the request breaks the OpenAPI document, so it was not sent: ${problems.join("; ")}`,
    );
    this.operationId = operationId;
    this.problems = problems;
  }
}
