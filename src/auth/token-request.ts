import { clientAuthHint } from "./client-auth.js";
import { type AuthenticatedClient, postClientForm, sentClientSecrets } from "./client-post.js";
import {
  buildForm,
  GRANT_SWITCH_TENANT,
  GRANT_SWITCH_USER,
  type GrantRequest,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from "./grants.js";
import { parseTokenResponse } from "./token-response.js";
import type { ClientAuthMethod, TokenSet } from "./types.js";

/** Everything one token request needs; the provider owns these. */
export interface TokenEndpoint extends AuthenticatedClient {
  tokenUrl: string;
  scope?: string | readonly string[] | undefined;
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
  const form = buildForm(grant, endpoint.scope);
  const secrets = [...grant.secrets, ...(endpoint.clientSecret ? [endpoint.clientSecret] : [])];
  const requestedAt = endpoint.clock();
  const response = await postClientForm(endpoint.tokenUrl, endpoint, form);
  secrets.push(...sentClientSecrets(form));
  return parseTokenResponse(response, {
    tokenUrl: endpoint.tokenUrl,
    requestedAt,
    secrets,
    warn: endpoint.warn,
    hintFor: (error, status) =>
      hintFor(
        error,
        status,
        grant.grantType,
        endpoint.clientAuth,
        endpoint.clientSecret !== undefined,
      ),
  });
}

/**
 * What to do about an RFC 6749 §5.2 error, said for this grant and client auth mode. Options are
 * named in backquotes (`clientAuth`, `tokenUrl`), so a CLI can say them in its own words.
 */
function hintFor(
  error: string,
  status: number,
  grantType: string,
  clientAuth: ClientAuthMethod,
  hasSecret: boolean,
): string | undefined {
  switch (error) {
    case "invalid_client":
      return clientAuthHint(clientAuth, hasSecret);
    case "invalid_grant":
      if (grantType === "password") {
        return "Check the grant's `username` and `password`; the account may also be locked or expired";
      }
      if (grantType === "refresh_token") return "The refresh token expired or was revoked";
      if (grantType === "authorization_code") {
        // RFC 6749 §4.1.3, RFC 7636 §4.6.
        return "The authorization code was refused: it expired or was used already, or the code_verifier does not match its code_challenge (PKCE). Sign in again";
      }
      if (grantType === TOKEN_EXCHANGE_GRANT_TYPE) return SUBJECT_TOKEN_REFUSED_HINT;
      return `The ${grantType} grant was refused: its parameters are invalid, expired or not allowed for this user`;
    case "unauthorized_client":
    case "unsupported_grant_type":
      return `The security client is not allowed to use grant_type "${grantType}": add it to the client's grant types on the server, or use another grant`;
    // RFC 8628 §3.5: the device flow's final outcomes.
    case "access_denied":
      return "The sign-in was denied on the verification page: run again and approve it";
    case "expired_token":
      return EXPIRED_DEVICE_CODE_HINT;
    case "invalid_scope":
      return "Check the requested `scope` against the scopes the client may request";
    // RFC 8693 §2.2.2: the server will not issue a token for that target.
    case "invalid_target":
      return "The server will not issue a token for the requested `audience` or `resource` (RFC 8693 §2.2.2): check them against what this client may ask for";
    case "invalid_request":
      return invalidRequestHint(grantType);
    default:
      if (status === 404) return NOT_FOUND_HINT;
      return status === 401 ? clientAuthHint(clientAuth, hasSecret) : undefined;
  }
}

/**
 * A token exchange refused for its subject token. RFC 8693 §2.2.2 says `invalid_request`; servers
 * also answer `invalid_grant` (the grant's credential is the subject token).
 */
const SUBJECT_TOKEN_REFUSED_HINT =
  "The subject token was refused: it is invalid, expired or revoked, of another type than `subjectTokenType` says, or not accepted for this exchange (RFC 8693 §2.2.2). Check the grant's `subjectToken`";

/** RFC 8628 §3.5 `expired_token`, from the server or from counting `expires_in` ourselves. */
export const EXPIRED_DEVICE_CODE_HINT =
  "The device code expired before the sign-in was approved: run again and enter the new code sooner";

/** A 404 from the token endpoint: the URL is wrong, whatever the body says. */
const NOT_FOUND_HINT =
  "Nothing answers token requests at this URL (for MSX the token endpoint is " +
  "https://<host>/idm/v2/token): check `tokenUrl`";

/**
 * `invalid_request` (RFC 6749 §5.2) is what some servers answer to a wrong password (Authlib
 * among them, where others say invalid_grant) and to a parameter naming nothing, such as an
 * unknown switch-tenant name: the request is rarely malformed in the sense of a bug.
 */
function invalidRequestHint(grantType: string): string {
  switch (grantType) {
    case "password":
      return "Some servers answer this to a wrong username or password: check the grant's `username` and `password`. Otherwise a parameter is missing or not accepted by this server";
    case GRANT_SWITCH_TENANT:
      return "Check the target tenant: a tenant id or name that names no tenant the user can see is answered this way";
    case GRANT_SWITCH_USER:
      return "Check the target user: a username that names no user is answered this way";
    // RFC 8693 §2.2.2 answers an invalid or unacceptable subject or actor token this way.
    case TOKEN_EXCHANGE_GRANT_TYPE:
      return `${SUBJECT_TOKEN_REFUSED_HINT}; otherwise a parameter is missing or not accepted by this server`;
    default:
      return "A parameter of the request is missing, unknown or not accepted by this server: check the grant's parameters and `scope`";
  }
}
