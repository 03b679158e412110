import type { components } from "../../generated/msx.js";
import { ConfigError } from "../errors.js";
import { AUTHORIZATION_CODE_GRANT_TYPE } from "./authorization-code.js";
import { DEVICE_CODE_GRANT_TYPE } from "./device-code.js";
import type { Grant, TokenExchangeGrant } from "./types.js";

/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

export { GRANT_SWITCH_TENANT, GRANT_SWITCH_USER } from "../spec/grants.js";

/** The token request form, typed from the spec's `TokenRequest` (extension grants may add more). */
export type TokenRequestForm = components["schemas"]["TokenRequest"] & Record<string, string>;

/** The form members a grant contributes, with what must be masked in logs and errors. */
export interface GrantRequest {
  grantType: string;
  parameters: Record<string, string>;
  secrets: string[];
}

/** The form for `grant`: RFC 6749 §4.3.2 (password), §4.4.2 (client credentials), §4.5 (extension). */
export function grantRequest(grant: Grant): GrantRequest {
  if (grant.type === "password") {
    const { username, password } = grant as { username?: unknown; password?: unknown };
    const problems: string[] = [];
    if (typeof username !== "string" || username === "") {
      problems.push("The password grant needs a username.");
    }
    if (typeof password !== "string" || password === "") {
      problems.push("The password grant needs a password.");
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return {
      grantType: "password",
      parameters: { username: username as string, password: password as string },
      secrets: [password as string],
    };
  }
  if (grant.type === "client_credentials") {
    return { grantType: "client_credentials", parameters: {}, secrets: [] };
  }
  if (grant.type === "token_exchange" || grant.type === TOKEN_EXCHANGE_GRANT_TYPE) {
    return tokenExchangeRequest(grant as Partial<TokenExchangeGrant>);
  }
  if (grant.type === "device_code" || grant.type === DEVICE_CODE_GRANT_TYPE) {
    // The device flow sends its own requests (RFC 8628); this only names it.
    return { grantType: DEVICE_CODE_GRANT_TYPE, parameters: {}, secrets: [] };
  }
  if (grant.type === AUTHORIZATION_CODE_GRANT_TYPE) {
    // The browser sign-in sends its own requests (RFC 8252); this only names it.
    return { grantType: AUTHORIZATION_CODE_GRANT_TYPE, parameters: {}, secrets: [] };
  }
  if (typeof grant.type !== "string" || grant.type === "" || grant.type === "refresh_token") {
    throw new ConfigError(
      `grant.type must be "password", "client_credentials", "device_code", "authorization_code", "token_exchange" or an extension grant URI, got ${JSON.stringify(grant.type)}. ` +
        "Refresh tokens are used automatically; they are not a starting grant.",
    );
  }
  const parameters = "parameters" in grant && grant.parameters ? { ...grant.parameters } : {};
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value !== "string") {
      throw new ConfigError(`grant.parameters.${name} must be a string.`);
    }
  }
  const secrets = ["access_token", "refresh_token", "password", "client_secret", "assertion"]
    .map((name) => parameters[name])
    .filter((value): value is string => typeof value === "string");
  return { grantType: grant.type, parameters, secrets };
}

/** RFC 8693 §2.1: the token exchange request's form. */
function tokenExchangeRequest(grant: Partial<TokenExchangeGrant>): GrantRequest {
  const fields = {
    subject_token: grant.subjectToken,
    subject_token_type: grant.subjectTokenType,
    actor_token: grant.actorToken,
    actor_token_type: grant.actorTokenType,
    requested_token_type: grant.requestedTokenType,
    audience: grant.audience,
    resource: grant.resource,
  };
  const problems: string[] = [];
  if (!grant.subjectToken) problems.push("The token_exchange grant needs a subjectToken.");
  if (!grant.subjectTokenType) {
    problems.push(
      'The token_exchange grant needs a subjectTokenType, e.g. "urn:ietf:params:oauth:token-type:access_token".',
    );
  }
  // §2.1: actor_token_type is required when actor_token is sent, and only then.
  if ((grant.actorToken === undefined) !== (grant.actorTokenType === undefined)) {
    problems.push("The token_exchange grant needs actorToken and actorTokenType together.");
  }
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && typeof value !== "string") {
      problems.push(`The token_exchange grant's ${name} must be a string.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (value) parameters[name] = value;
  return {
    grantType: TOKEN_EXCHANGE_GRANT_TYPE,
    parameters,
    secrets: [grant.subjectToken, grant.actorToken].filter((t): t is string => Boolean(t)),
  };
}

/** The refresh request of RFC 6749 §6. */
export function refreshRequest(refreshToken: string): GrantRequest {
  return {
    grantType: "refresh_token",
    parameters: { refresh_token: refreshToken },
    secrets: [refreshToken],
  };
}

/** Builds the token request form; `undefined` members are dropped, never sent as "undefined". */
export function buildForm(
  request: GrantRequest,
  scope: string | readonly string[] | undefined,
): URLSearchParams {
  const form: TokenRequestForm = { grant_type: request.grantType, ...request.parameters };
  const scopeText = typeof scope === "string" ? scope : scope?.join(" ");
  // RFC 6749 §3.3: scope is a space-delimited list. §6: a refresh may narrow it; omit to keep it.
  // §4.1.3: the code's token request has no scope (the authorization request carried it).
  if (
    scopeText &&
    request.grantType !== "refresh_token" &&
    request.grantType !== "authorization_code"
  ) {
    form.scope = scopeText;
  }
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    if (value !== undefined) params.set(name, value);
  }
  return params;
}
