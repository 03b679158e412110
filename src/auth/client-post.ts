import { applyClientAuth } from "./client-auth.js";
import type { ClientAuthMethod } from "./types.js";

/** The client as the authorization server's endpoints see it. */
export interface AuthenticatedClient {
  clientId: string;
  clientSecret?: string | undefined;
  clientAuth: ClientAuthMethod;
  fetch: (request: Request) => Promise<Response>;
}

/**
 * POSTs `form` to one of the authorization server's endpoints (token, device authorization,
 * revocation, introspection) with the client's authentication (RFC 6749 §2.3, §3.2).
 *
 * The media type is exactly `application/x-www-form-urlencoded`: some servers reject a
 * `;charset=` parameter. A redirect is never followed: a 307 or 308 would re-send the password
 * and client secret in the body to wherever the Location points, plain http:// included (fetch
 * only strips headers).
 */
export function postClientForm(
  url: string,
  client: AuthenticatedClient,
  form: URLSearchParams,
  signal?: AbortSignal,
): Promise<Response> {
  const headers = new Headers({
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  });
  // Every method identifies the client: Basic in the header, or client_id in the form (RFC 6749
  // §3.2.1, RFC 8628 §3.1), which is what public clients send.
  applyClientAuth(client.clientAuth, client, headers, form);
  return client.fetch(
    new Request(url, {
      method: "POST",
      headers,
      body: form.toString(),
      redirect: "manual",
      ...(signal ? { signal } : {}),
    }),
  );
}
