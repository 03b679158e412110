import type { MsxOperationId } from "../spec/msx-operations.js";
import type { ContractViolation } from "./violations.js";

/** What `mock.requests` keeps of a request: credentials and secret fields are masked. */
export interface RecordedRequest<Id extends string = MsxOperationId> {
  operationId: Id | undefined;
  method: string;
  path: string;
  /** The query string, API keys masked. */
  query: string;
  /** `Basic`, `Bearer`, or `undefined` when no Authorization header was sent. */
  authorizationScheme: string | undefined;
  contentType: string | undefined;
  body: unknown;
  /** Whether the kit found the request valid against the spec. */
  valid: boolean;
}

/**
 * Body fields never kept as sent: OAuth2 secrets (RFC 6749 §§2.3.1, 4.3.2, 5.1, 6), and the
 * client assertion, a bearer credential until it expires (RFC 7523 §2.2).
 */
const SECRET_FIELDS = new Set([
  "password",
  "client_secret",
  "client_assertion",
  "refresh_token",
  "access_token",
  "id_token",
]);
const MASK = "<redacted>";

/**
 * The mock's memory: every request it answered (masked) and every violation it found, in order.
 * `secretQueryParameters` are the query parameters to mask (the spec's apiKey-in-query schemes).
 */
export class Recorder<Id extends string = string> {
  readonly #requests: RecordedRequest<Id>[] = [];
  readonly #violations: ContractViolation<Id>[] = [];
  readonly #secretQueryParameters: ReadonlySet<string>;

  constructor(secretQueryParameters: Iterable<string> = []) {
    this.#secretQueryParameters = new Set(secretQueryParameters);
  }

  get requests(): readonly RecordedRequest<Id>[] {
    return [...this.#requests];
  }

  get violations(): readonly ContractViolation<Id>[] {
    return [...this.#violations];
  }

  /** Records an answered request and, when `problems` is not empty, its violation. */
  record(
    operationId: Id | undefined,
    method: string,
    pathWithQuery: string,
    headers: Readonly<Record<string, string>>,
    body: unknown,
    problems: readonly string[],
  ): void {
    const [path = "/", query = ""] = splitOnce(pathWithQuery, "?");
    this.#requests.push({
      operationId,
      method,
      path,
      query: this.#maskQuery(query),
      authorizationScheme: headers.authorization?.trim().split(/\s+/)[0],
      contentType: headers["content-type"],
      body: maskSecrets(body),
      valid: problems.length === 0,
    });
    if (problems.length > 0) this.violate(operationId, method, path, problems);
  }

  /** Records a violation not tied to a request's validity (e.g. a mocked reply off the spec). */
  violate(
    operationId: Id | undefined,
    method: string,
    path: string,
    problems: readonly string[],
  ): void {
    this.#violations.push({ operationId, method, path, problems: [...problems] });
  }

  #maskQuery(query: string): string {
    if (this.#secretQueryParameters.size === 0 || query === "") return query;
    const params = new URLSearchParams(query);
    for (const name of this.#secretQueryParameters) {
      if (params.has(name)) params.set(name, MASK);
    }
    return params.toString();
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

function maskSecrets(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => [name, SECRET_FIELDS.has(name) ? MASK : value]),
  );
}
