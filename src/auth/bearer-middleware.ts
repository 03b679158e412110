import type { Middleware } from "openapi-fetch";
import { rememberSecrets } from "../redact.js";
import type { TokenProvider } from "./types.js";

/**
 * openapi-fetch middleware that sends `Authorization: Bearer <token>` (RFC 6750 §2.1).
 *
 * On a 401 it invalidates that token, obtains a new one and replays the request once, body
 * included; a second 401 is returned to the caller as openapi-fetch's `{ error, response }`.
 * Nothing else is retried: a non-idempotent request may have taken effect before failing.
 *
 * The replay goes through the client's own `fetch` (`options.fetch`), so it keeps the transport's
 * TLS and proxy settings. A request without a body is simply rebuilt from itself when a 401
 * comes; one with a body is cloned before it is sent (a sent body cannot be read again). Cloning
 * every request cost a second Request and AbortSignal each time (bench/overhead.mjs).
 */
export function bearerAuth(
  provider: Pick<TokenProvider, "getAccessToken" | "invalidate"> &
    Partial<Pick<TokenProvider, "knownSecrets">>,
): Middleware {
  /** Every response is marked with the secrets of its session (see `knownSecretsOf`). */
  const secrets = (sentToken: string | undefined) => () => [
    sentToken,
    ...(provider.knownSecrets?.() ?? []),
  ];
  /** The replayable copy of each request with a body in flight. */
  const replays = new WeakMap<Request, Request>();
  return {
    async onRequest({ request }) {
      const token = await provider.getAccessToken();
      request.headers.set("Authorization", `${BEARER}${token}`);
      rememberSecrets(request, secrets(token));
      if (request.body !== null) replays.set(request, request.clone());
      return request;
    },
    // Not async: every answer but a 401 is handled without a promise of its own (openapi-fetch
    // awaits what this returns, and a promise there cost each request more turns of the queue).
    onResponse({ request, response, options }) {
      const hasBody = request.body !== null;
      const copy = hasBody ? replays.get(request) : undefined;
      if (hasBody) replays.delete(request);
      const sent = request.headers.get("Authorization");
      const sentToken = sent?.startsWith(BEARER) ? sent.slice(BEARER.length) : undefined;
      rememberSecrets(response, secrets(sentToken));
      if (response.status !== 401) return undefined;
      // Not a request this middleware authorised, or its body copy is gone: nothing to replay.
      if (!sent?.startsWith(BEARER) || (hasBody && copy === undefined)) return undefined;
      return replayWithNewToken(copy ?? new Request(request), response, sentToken, options.fetch);
    },
    onError({ request }) {
      if (request.body !== null) replays.delete(request);
      return undefined;
    },
  };

  /** The 401's replay: the rejected token forgotten, a new one obtained, the request sent again. */
  async function replayWithNewToken(
    replay: Request,
    rejected: Response,
    sentToken: string | undefined,
    send: (request: Request) => Promise<Response>,
  ): Promise<Response> {
    // Only the token that was rejected is forgotten: concurrent 401s renew once.
    provider.invalidate(sentToken);
    const token = await provider.getAccessToken();
    await rejected.body?.cancel().catch(() => undefined);
    replay.headers.set("Authorization", `${BEARER}${token}`);
    const replayed = await send(replay);
    rememberSecrets(replayed, secrets(token));
    return replayed;
  }
}

const BEARER = "Bearer ";
