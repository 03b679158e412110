import { timingSafeEqual } from "node:crypto";
import type { components } from "../../generated/msx.js";
import {
  decodeBasicCredentials,
  formDecodedCredentials,
  splitAuthorization,
} from "../spec/basic-credentials.js";
import type { FormFields } from "../spec/form.js";
import {
  ALL_GRANT_TYPES,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_PASSWORD,
  GRANT_REFRESH_TOKEN,
  GRANT_SWITCH_TENANT,
} from "../spec/grants.js";
import { oauthProblem, type SandboxProblem } from "./errors.js";
import type { ResolvedClient, ResolvedUser } from "./options.js";
import { hasPermission, ROLE_CLIENT } from "./roles.js";
import type { TenantStore } from "./store.js";
import { describeScope, withinScope } from "./tenant-scope.js";
import type { Principal, TokenGrantResult, TokenRegistry } from "./tokens.js";

type AccessToken = components["schemas"]["AccessToken"];

const DEFAULT_SCOPE = "read write openid profile email tenant_hierarchy token_details";
const BASIC_CHALLENGE = { "www-authenticate": 'Basic realm="passgrant-sandbox"' } as const;

/** A token request's form fields, each sent at most once (RFC 6749 §3.2). */
export type TokenForm = FormFields;

export interface TokenEndpointContext {
  readonly clients: ReadonlyMap<string, ResolvedClient>;
  readonly users: ReadonlyMap<string, ResolvedUser>;
  readonly tokens: TokenRegistry;
  readonly store: TenantStore;
  readonly countGrant: (grantType: string) => void;
}

/**
 * Client authentication (RFC 6749 §2.3.1). `Authorization: Basic` is accepted in both forms seen
 * in the wild: base64 of the raw `id:secret` (what the MSX guide sends) and base64 of the
 * form-urlencoded id and secret (what the RFC asks for); they differ only when the id or secret
 * holds characters such as `:`, `+` or `%`. `client_id` + `client_secret` in the form body
 * (client_secret_post) works too, but never together with Basic (RFC 6749 §2.3).
 */
export function authenticateClient(
  authorization: string | undefined,
  form: TokenForm | undefined,
  clients: ReadonlyMap<string, ResolvedClient>,
): ResolvedClient {
  if (authorization !== undefined) {
    if (form?.client_secret !== undefined) {
      throw oauthProblem(
        400,
        "invalid_request",
        "the client authenticated twice (Authorization: Basic and client_secret in the body); use one method (RFC 6749 §2.3)",
      );
    }
    const parts = splitAuthorization(authorization);
    if (
      parts?.scheme.toLowerCase() !== "basic" ||
      !parts.credentials ||
      /\s/.test(parts.credentials)
    ) {
      throw invalidClient(
        "the token endpoint needs client authentication with Authorization: Basic base64(client_id:client_secret)",
      );
    }
    const raw = decodeBasicCredentials(parts.credentials);
    if (!raw) {
      throw invalidClient(
        "the Basic credentials are not base64 of client_id:client_secret; check how the header is built",
      );
    }
    const client = findClient(clients, raw.id, raw.secret) ?? findFormEncoded(clients, raw);
    if (client) return client;
    throw invalidClient(
      "unknown client id or wrong client secret. check the id and secret (the sandbox takes the Authorization header raw or form-urlencoded, RFC 6749 §2.3.1)",
    );
  }
  if (form?.client_id !== undefined && form.client_secret !== undefined) {
    const client = findClient(clients, form.client_id, form.client_secret);
    if (client) return client;
    // RFC 6749 §5.2 asks for the challenge only after an Authorization header; sending it
    // anyway tells the client which method the server prefers, and every 401 carries one.
    throw invalidClient("unknown client_id or wrong client_secret in the request body");
  }
  throw invalidClient(
    form?.client_id === undefined
      ? "the token endpoint needs client authentication: send Authorization: Basic base64(client_id:client_secret)"
      : "client_id came without client_secret, but the sandbox has no public clients: send the secret too (as client_secret, or Authorization: Basic)",
  );
}

function invalidClient(description: string): SandboxProblem {
  return oauthProblem(401, "invalid_client", description, BASIC_CHALLENGE);
}

function findFormEncoded(
  clients: ReadonlyMap<string, ResolvedClient>,
  raw: { id: string; secret: string },
): ResolvedClient | undefined {
  const decoded = formDecodedCredentials(raw);
  if (!decoded || (decoded.id === raw.id && decoded.secret === raw.secret)) return undefined;
  return findClient(clients, decoded.id, decoded.secret);
}

function findClient(
  clients: ReadonlyMap<string, ResolvedClient>,
  id: string,
  secret: string,
): ResolvedClient | undefined {
  const client = clients.get(id);
  return client && sameSecret(client.clientSecret, secret) ? client : undefined;
}

/** Compares secrets in constant time, as a real server must. */
function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Runs the grant in `form` for an authenticated client and builds the token response. */
export function grantToken(
  client: ResolvedClient,
  form: TokenForm,
  context: TokenEndpointContext,
): AccessToken {
  const grantType = form.grant_type ?? "";
  if (!(ALL_GRANT_TYPES as readonly string[]).includes(grantType)) {
    throw oauthProblem(
      400,
      "unsupported_grant_type",
      `grant_type must be one of: ${ALL_GRANT_TYPES.join(", ")}`,
    );
  }
  context.countGrant(grantType);
  if (!client.grantTypes.includes(grantType)) {
    throw oauthProblem(
      400,
      "unauthorized_client",
      `this client may not use grant_type ${grantType}; it may use: ${client.grantTypes.join(", ") || "none"}`,
    );
  }
  const scope = form.scope || DEFAULT_SCOPE;
  switch (grantType) {
    case GRANT_PASSWORD: {
      const username = required(form, "username", grantType);
      const password = required(form, "password", grantType);
      const user = context.users.get(username);
      if (!user || !sameSecret(user.password, password)) {
        throw oauthProblem(400, "invalid_grant", "Bad credentials");
      }
      return respond(userPrincipal(client, user, user.tenantId, scope), true, context);
    }
    case GRANT_REFRESH_TOKEN: {
      const principal = context.tokens.redeemRefreshToken(
        required(form, "refresh_token", grantType),
        client.clientId,
      );
      if (!principal) {
        throw oauthProblem(
          400,
          "invalid_grant",
          "the refresh token is invalid, expired, already used, or was issued to another client",
        );
      }
      return respond(form.scope ? { ...principal, scope } : principal, true, context);
    }
    case GRANT_CLIENT_CREDENTIALS:
      // RFC 6749 §4.4.3: no refresh token for client credentials.
      return respond({ clientId: client.clientId, roles: [ROLE_CLIENT], scope }, false, context);
    case GRANT_SWITCH_TENANT: {
      const principal = currentPrincipal(client, form, grantType, context);
      const tenantId = targetTenant(form, context.store);
      if (!withinScope(principal, tenantId, context.store)) {
        throw oauthProblem(
          403,
          "access_denied",
          `the user may not switch to that tenant: ${describeScope(principal)}`,
        );
      }
      return respond({ ...principal, tenantId }, true, context);
    }
    default: {
      const principal = currentPrincipal(client, form, grantType, context);
      const username = required(form, "switch_username", grantType);
      if (!hasPermission(principal.roles, "switch-user")) {
        throw oauthProblem(
          403,
          "access_denied",
          "only a user with ROLE_SUPER_USER may switch to another user",
        );
      }
      const user = context.users.get(username);
      if (!user) {
        throw oauthProblem(400, "invalid_request", "switch_username names no known user");
      }
      return respond(userPrincipal(client, user, user.tenantId, scope), true, context);
    }
  }
}

function required(form: TokenForm, name: string, grantType: string): string {
  const value = form[name];
  if (!value) {
    throw oauthProblem(400, "invalid_request", `${name} is required for grant_type ${grantType}`);
  }
  return value;
}

function userPrincipal(
  client: ResolvedClient,
  user: ResolvedUser,
  tenantId: string | undefined,
  scope: string,
): Principal {
  return {
    clientId: client.clientId,
    username: user.username,
    roles: user.roles,
    scope,
    ...(tenantId !== undefined && { tenantId, homeTenantId: tenantId }),
  };
}

/**
 * The principal behind `access_token`, for the switch grants. The token must have been issued to
 * the client presenting it: otherwise a client could take another client's token and turn it
 * into one of its own, with grants (and a refresh token) it was never given.
 */
function currentPrincipal(
  client: ResolvedClient,
  form: TokenForm,
  grantType: string,
  context: TokenEndpointContext,
): Principal {
  const check = context.tokens.checkAccessToken(required(form, "access_token", grantType));
  if (!check.ok) {
    throw oauthProblem(400, "invalid_grant", `the access_token is ${check.reason}`);
  }
  if (check.principal.clientId !== client.clientId) {
    throw oauthProblem(
      400,
      "invalid_grant",
      "the access_token was issued to another client; a switch grant takes only a token issued to the client that presents it",
    );
  }
  if (check.principal.username === undefined) {
    throw oauthProblem(
      400,
      "invalid_grant",
      "the access_token came from client credentials; switching needs a user's token",
    );
  }
  return check.principal;
}

function targetTenant(form: TokenForm, store: TenantStore): string {
  if (form.tenant_id) {
    if (!store.get(form.tenant_id)) {
      throw oauthProblem(400, "invalid_request", "tenant_id names no known tenant");
    }
    return form.tenant_id;
  }
  if (form.tenant_name) {
    const found = store.findByName(form.tenant_name);
    const [only] = found;
    if (!only || found.length > 1) {
      throw oauthProblem(
        400,
        "invalid_request",
        found.length > 1
          ? `${found.length} tenants have that tenant_name; switch by tenant_id instead`
          : "tenant_name names no known tenant",
      );
    }
    return only.id;
  }
  throw oauthProblem(
    400,
    "invalid_request",
    `tenant_id or tenant_name is required for grant_type ${GRANT_SWITCH_TENANT}`,
  );
}

function respond(
  principal: Principal,
  withRefreshToken: boolean,
  context: TokenEndpointContext,
): AccessToken {
  const issued: TokenGrantResult = context.tokens.issue(principal, withRefreshToken);
  const user = principal.username;
  return {
    access_token: issued.accessToken,
    token_type: "bearer",
    expires_in: context.tokens.accessTokenTtlSeconds,
    ...(issued.refreshToken !== undefined && { refresh_token: issued.refreshToken }),
    scope: principal.scope,
    ...(user !== undefined && {
      firstName: user,
      lastName: "Sandbox",
      email: `${user}@example.com`,
      username: user,
    }),
    roles: [...principal.roles],
    ...(principal.tenantId !== undefined && { tenantId: principal.tenantId }),
    expiry: new Date(issued.expiresAt).toISOString(),
    iat: new Date(issued.issuedAt).toISOString(),
  };
}
