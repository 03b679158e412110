import { Ajv } from "ajv";
import type { OpenAPIBackend } from "openapi-backend";
import { createMsxBackend, loadMsxDocument } from "../../../src/spec/msx-spec.js";

/** One answer from the sandbox, body already parsed (null for an empty body). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of many shapes
  readonly body: any;
  readonly operationId: string | undefined;
}

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array | URLSearchParams;
  readonly json?: unknown;
  readonly bearer?: string;
  /** Per-request timeout; every call has one so a hang fails the test instead of stalling it. */
  readonly timeoutMs?: number;
}

/** Statuses any operation may get from the HTTP layer, before the operation itself runs. */
const HTTP_LEVEL_STATUSES = new Set([405, 408, 413, 415, 431]);

/** A `${operationId} ${status}` that the suite received, for the documented-status coverage check. */
export type Hit = `${string} ${number}`;

/**
 * A fetch wrapper that checks every answer against the spec, so no test can pass on a response
 * the spec does not describe:
 * - a status the operation documents: the body must validate against that response's schema
 *   (openapi-backend's `validateResponse`), and 401s must carry `WWW-Authenticate`;
 * - anything else (404, 405, 413, 415, an injected 503, ...): the body must be the platform's
 *   `Error` schema, since that is what a client of the platform would have to parse; and within
 *   an operation, a status the spec doesn't document must be HTTP-level (413, 415, ...) or
 *   carry `X-Passgrant-Sandbox-Fault: injected`, as the spec says injected answers do.
 * Every body must be JSON, except 204's, which must be empty.
 */
export class SpecCheckedClient {
  readonly hits = new Set<Hit>();
  readonly #backend: OpenAPIBackend;
  readonly #isPlatformError: (body: unknown) => boolean;

  private constructor(
    readonly baseUrl: string,
    backend: OpenAPIBackend,
  ) {
    this.#backend = backend;
    const errorSchema = loadMsxDocument().components?.schemas?.Error;
    if (!errorSchema) throw new Error("openapi/msx.yaml has no Error schema");
    this.#isPlatformError = new Ajv({ strict: false }).compile(errorSchema);
  }

  static async create(baseUrl: string): Promise<SpecCheckedClient> {
    return new SpecCheckedClient(baseUrl, await createMsxBackend());
  }

  async call(path: string, options: CallOptions = {}): Promise<Answer> {
    const method = options.method ?? "GET";
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body !== undefined && { body }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    return this.check(method, path, response);
  }

  /** Validates a response received some other way (a custom dispatcher, say). */
  async check(method: string, path: string, response: Response): Promise<Answer> {
    const text = await response.text();
    const pathname = new URL(path, this.baseUrl).pathname;
    const operation = this.#backend.matchOperation({ method, path: pathname, headers: {} });
    const operationId = operation?.operationId;
    const where = `${method} ${pathname} -> ${response.status}`;
    let body: unknown = null;
    if (response.status === 204 || method === "HEAD") {
      if (text !== "")
        throw new Error(`${where}: expected an empty body, got ${text.slice(0, 200)}`);
    } else {
      if (!response.headers.get("content-type")?.startsWith("application/json")) {
        throw new Error(
          `${where}: Content-Type is ${response.headers.get("content-type")}, not JSON`,
        );
      }
      body = JSON.parse(text);
    }
    const documented = operation?.responses?.[String(response.status)] !== undefined;
    if (operationId && documented) {
      const result = this.#backend.validateResponse(body, operationId, response.status);
      if (!result.valid) {
        throw new Error(`${where}: body breaks the spec: ${JSON.stringify(result.errors)}`);
      }
      if (response.status === 401 && !response.headers.get("www-authenticate")) {
        throw new Error(`${where}: 401 without WWW-Authenticate`);
      }
      this.hits.add(`${operationId} ${response.status}`);
    } else {
      if (method !== "HEAD" && !this.#isPlatformError(body)) {
        throw new Error(`${where}: an undocumented status must carry the Error body, got ${text}`);
      }
      // Within an operation, an undocumented status is either about HTTP itself (a body too
      // large, a wrong media type) or an injected fault, which the spec says is marked.
      const injected = response.headers.get("x-passgrant-sandbox-fault") === "injected";
      if (operationId && !HTTP_LEVEL_STATUSES.has(response.status) && !injected) {
        throw new Error(`${where}: undocumented and not marked as an injected fault`);
      }
    }
    return { status: response.status, headers: response.headers, body, operationId };
  }

  /** Every `${operationId} ${status}` the spec documents. */
  documentedStatuses(): Hit[] {
    return this.#backend
      .getOperations()
      .flatMap((operation) =>
        Object.keys(operation.responses ?? {}).map(
          (status): Hit => `${operation.operationId} ${Number(status)}`,
        ),
      );
  }
}
