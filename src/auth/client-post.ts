import { type FormReply, formPostFor } from "../transport/form-post.js";
import { applyClientAuth, type ClientCredentials } from "./client-auth.js";
import type { ClientAuthMethod } from "./types.js";

/** The client as the authorization server's endpoints see it. */
export interface AuthenticatedClient extends ClientCredentials {
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
 *
 * The client's credentials are set into `form` (a caller may read back what was sent, such as
 * the client assertion, to mask it in errors). The POST goes through `client.fetch`, or the
 * transport's own way when that fetch is a transport's with `formsOverNodeHttp`.
 */
export function postClientForm(
  url: string,
  client: AuthenticatedClient,
  form: URLSearchParams,
  signal?: AbortSignal,
): Promise<FormReply> {
  // A Map, not Headers: touching fetch's classes loads Node's whole fetch, which a token-only
  // process over node:http never needs.
  const headers = new Map([
    ["Content-Type", "application/x-www-form-urlencoded"],
    ["Accept", "application/json"],
  ]);
  const send = () =>
    formPostFor(client.fetch)(url, {
      headers,
      body: form.toString(),
      ...(signal ? { signal } : {}),
    });
  // Every method identifies the client: Basic in the header, or client_id in the form (RFC 6749
  // §3.2.1, RFC 8628 §3.1), which is what public clients send. Only a signed assertion is
  // awaited; the other methods send at once.
  const pending = applyClientAuth(client.clientAuth, client, headers, form, url);
  return pending ? pending.then(send) : send();
}

/** The form's own secrets once sent: the client assertion, a bearer credential while it lasts. */
export function sentClientSecrets(form: URLSearchParams): string[] {
  const assertion = form.get("client_assertion");
  return assertion ? [assertion] : [];
}
