import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "../transport/loopback.js";
import { apiProblem, type SandboxProblem } from "./errors.js";
import type { SandboxResult } from "./exchange.js";
import { type FaultQueue, type FaultRule, faultRuleProblems } from "./faults.js";
import { readBody } from "./http-io.js";
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
  const peer = request.socket.remoteAddress;
  if (!peer || !isLoopbackHost(peer)) {
    throw apiProblem(403, "the sandbox admin surface answers loopback clients only");
  }
  const route = pathname.slice(ADMIN_PREFIX.length);
  const method = request.method ?? "GET";
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
