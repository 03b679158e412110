import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "../transport/loopback.js";
import { apiProblem, type SandboxProblem } from "./errors.js";
import type { SandboxResult } from "./exchange.js";
import { type FaultQueue, type FaultRule, faultRuleProblems } from "./faults.js";
import { mediaTypeOf, readBody } from "./http-io.js";
import type { TokenRegistry } from "./tokens.js";

/** The admin surface's prefix. Not part of the spec; answers loopback clients only. */
export const ADMIN_PREFIX = "/__sandbox";

const ADMIN_BODY_LIMIT = 64 * 1024;

export interface AdminContext {
  readonly faults: FaultQueue;
  readonly tokens: TokenRegistry;
  readonly stats: () => unknown;
}

/**
 * `POST /__sandbox/faults` (a JSON FaultRule) and `DELETE /__sandbox/faults` (forget pending
 * rules), `POST /__sandbox/expire-tokens` (optional JSON `{ "keepRefreshTokens": true }`) and
 * `GET /__sandbox/stats`. Replies use the platform's Error body on failure.
 */
export async function handleAdminRequest(
  request: IncomingMessage,
  pathname: string,
  context: AdminContext,
): Promise<SandboxResult> {
  checkSameMachine(request);
  const route = pathname.slice(ADMIN_PREFIX.length);
  const method = request.method ?? "GET";
  if (method === "POST") checkJsonContentType(request);
  if (route === "/faults") {
    if (method === "POST") {
      const rule = await readJson(request);
      const problems = faultRuleProblems(rule);
      if (problems.length > 0) throw apiProblem(400, `invalid fault rule: ${problems.join("; ")}`);
      context.faults.add(rule as FaultRule);
      return { status: 201, body: rule };
    }
    if (method === "DELETE") {
      context.faults.clear();
      return { status: 204 };
    }
    throw notAllowed(method, "POST, DELETE");
  }
  if (route === "/expire-tokens") {
    if (method !== "POST") throw notAllowed(method, "POST");
    const options = (await readJson(request, {})) as { keepRefreshTokens?: unknown };
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw apiProblem(400, 'the body must be a JSON object such as {"keepRefreshTokens": true}');
    }
    context.tokens.expireAll({ keepRefreshTokens: options.keepRefreshTokens === true });
    return { status: 204 };
  }
  if (route === "/stats") {
    if (method !== "GET") throw notAllowed(method, "GET");
    return { status: 200, body: context.stats() };
  }
  throw apiProblem(
    404,
    `no admin endpoint at ${pathname}; there are ${ADMIN_PREFIX}/faults, ${ADMIN_PREFIX}/expire-tokens and ${ADMIN_PREFIX}/stats`,
  );
}

/**
 * The admin surface changes how the sandbox answers, so only a program on this machine may use
 * it, and never a web page the developer happens to visit:
 * - the peer must be loopback;
 * - `Host` must be a loopback name with the sandbox's port, which defeats DNS rebinding (a page
 *   on `evil.example` whose name was re-pointed at 127.0.0.1 still sends `Host: evil.example`);
 * - an `Origin`, when sent (browsers send it on cross-site POSTs), must be the sandbox's own
 *   loopback origin.
 */
function checkSameMachine(request: IncomingMessage): void {
  const peer = request.socket.remoteAddress;
  if (!peer || !isLoopbackHost(peer)) {
    throw apiProblem(403, "the sandbox admin surface answers loopback clients only");
  }
  const port = request.socket.localPort ?? 0;
  const host = request.headers.host ?? "";
  if (/[/?#@\\]/.test(host) || !isLoopbackOrigin(`http://${host}`, port)) {
    throw apiProblem(
      403,
      `the sandbox admin surface answers only requests whose Host is 127.0.0.1:${port}, localhost:${port} or [::1]:${port}`,
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin, port)) {
    throw apiProblem(
      403,
      "the sandbox admin surface refuses requests from web pages of other origins (Origin header)",
    );
  }
}

/** Whether `origin` is exactly `http://<loopback name>:<port>` (the opaque "null" is not). */
function isLoopbackOrigin(origin: string, port: number): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (
    parsed.protocol === "http:" &&
    parsed.origin === origin.toLowerCase() &&
    isLoopbackHost(parsed.hostname) &&
    Number(parsed.port || 80) === port
  );
}

/**
 * POSTs must be `application/json`. A web page may send a cross-site POST without asking the
 * server first only as `text/plain`, a form or multipart (a CORS "simple request"); requiring
 * JSON makes the browser ask with a preflight, which the sandbox never grants.
 */
function checkJsonContentType(request: IncomingMessage): void {
  const mediaType = mediaTypeOf(request);
  if (mediaType !== "application/json") {
    throw apiProblem(
      415,
      `the sandbox admin surface takes POSTs as application/json only, got ${mediaType ?? "no Content-Type"}; send -H 'content-type: application/json'`,
    );
  }
}

async function readJson(request: IncomingMessage, whenEmpty?: unknown): Promise<unknown> {
  const body = await readBody(request, ADMIN_BODY_LIMIT);
  if (body.length === 0 && whenEmpty !== undefined) return whenEmpty;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw apiProblem(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function notAllowed(method: string, allow: string): SandboxProblem {
  return apiProblem(405, `${method} is not allowed here; use ${allow}`, {
    headers: { allow },
  });
}
