import type { Middleware } from "openapi-fetch";
import type { TokenProvider } from "./types.js";

/**
 * openapi-fetch middleware that sends `Authorization: Bearer <token>` (RFC 6750 §2.1).
 *
 * On a 401 it invalidates that token, obtains a new one and replays the request once, body
 * included; a second 401 is returned to the caller as openapi-fetch's `{ error, response }`.
 * Nothing else is retried: a non-idempotent request may have taken effect before failing.
 *
 * The replay is a clone taken in `onRequest` (a sent body cannot be read again) and goes through
 * the client's own `fetch` (`options.fetch`), so it keeps the transport's TLS and proxy settings.
 */
export function bearerAuth(
  provider: Pick<TokenProvider, "getAccessToken" | "invalidate">,
): Middleware {
  /** The replayable copy of each request in flight, and the token it was sent with. */
  const pending = new WeakMap<Request, { replay: Request; token: string }>();
  return {
    async onRequest({ request }) {
      const token = await provider.getAccessToken();
      request.headers.set("Authorization", `Bearer ${token}`);
      pending.set(request, { replay: request.clone(), token });
      return request;
    },
    async onResponse({ request, response, options }) {
      const entry = pending.get(request);
      pending.delete(request);
      if (response.status !== 401 || !entry) return undefined;
      // Only the token that was rejected is forgotten: concurrent 401s renew once.
      provider.invalidate(entry.token);
      const token = await provider.getAccessToken();
      await response.body?.cancel().catch(() => undefined);
      entry.replay.headers.set("Authorization", `Bearer ${token}`);
      return options.fetch(entry.replay);
    },
    onError({ request }) {
      pending.delete(request);
      return undefined;
    },
  };
}
