import { applyClientAuth, clientAuthHint } from "./client-auth.js";
import { buildForm, type GrantRequest } from "./grants.js";
import { parseTokenResponse } from "./token-response.js";
import type { ClientAuthMethod, TokenSet } from "./types.js";

/** Everything one token request needs; the provider owns these. */
export interface TokenEndpoint {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  clientAuth: ClientAuthMethod;
  scope?: string | readonly string[] | undefined;
  fetch: (request: Request) => Promise<Response>;
  clock: () => number;
  warn: (code: string, message: string) => void;
}

/**
 * Sends one token request (RFC 6749 §3.2: POST, application/x-www-form-urlencoded, with client
 * authentication per `clientAuth`) and parses the answer. Never retried here: a token request
 * is not idempotent (a refresh token may be single-use), so retrying is the caller's decision.
 */
export async function requestToken(
  endpoint: TokenEndpoint,
  grant: GrantRequest,
): Promise<TokenSet> {
  const headers = new Headers({
    // Exactly this media type: some servers reject a `;charset=` parameter.
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  });
  const form = buildForm(grant, endpoint.scope);
  applyClientAuth(endpoint.clientAuth, endpoint, headers, form);
  const secrets = [...grant.secrets, ...(endpoint.clientSecret ? [endpoint.clientSecret] : [])];
  const requestedAt = endpoint.clock();
  const response = await endpoint.fetch(
    // Never follow a redirect: a 307 or 308 would re-send the password and client secret in the
    // body to wherever the Location points, plain http:// included (fetch only strips headers).
    new Request(endpoint.tokenUrl, {
      method: "POST",
      headers,
      body: form.toString(),
      redirect: "manual",
    }),
  );
  return parseTokenResponse(response, {
    tokenUrl: endpoint.tokenUrl,
    requestedAt,
    secrets,
    warn: endpoint.warn,
    hintFor: (error, status) => hintFor(error, status, grant.grantType, endpoint.clientAuth),
  });
}

/** What to do about an RFC 6749 §5.2 error, said for this grant and client auth mode. */
function hintFor(
  error: string,
  status: number,
  grantType: string,
  clientAuth: ClientAuthMethod,
): string | undefined {
  switch (error) {
    case "invalid_client":
      return clientAuthHint(clientAuth);
    case "invalid_grant":
      if (grantType === "password") {
        return "Check the username and password (MSX_USERNAME, MSX_PASSWORD); the account may also be locked or expired";
      }
      if (grantType === "refresh_token") return "The refresh token expired or was revoked";
      return `The ${grantType} grant was refused: its parameters are invalid, expired or not allowed for this user`;
    case "unauthorized_client":
    case "unsupported_grant_type":
      return `The security client is not allowed to use grant_type "${grantType}": add it to the client's grant types on the server, or use another grant`;
    case "invalid_scope":
      return "Check the requested scope (MSX_SCOPE) against the scopes the client may request";
    case "invalid_request":
      return "The server found the request malformed; report this with the request id if it persists";
    default:
      return status === 401 ? clientAuthHint(clientAuth) : undefined;
  }
}
