/**
 * The grant types the platform's token endpoint speaks, as `grant_type` values. The client asks
 * for them (src/auth) and the sandbox answers them (src/sandbox): both take them from here.
 */

/** RFC 6749 §4.3: the resource owner password credentials grant. */
export const GRANT_PASSWORD = "password";
/** RFC 6749 §6: refreshing an access token. */
export const GRANT_REFRESH_TOKEN = "refresh_token";
/** RFC 6749 §4.4: the client credentials grant. */
export const GRANT_CLIENT_CREDENTIALS = "client_credentials";
/** The platform's extension grant (RFC 6749 §4.5): `access_token` + `tenant_id` or `tenant_name`. */
export const GRANT_SWITCH_TENANT = "urn:cisco:nfv:oauth:grant-type:switch-tenant";
/** The platform's extension grant (RFC 6749 §4.5): `access_token` + `switch_username`. */
export const GRANT_SWITCH_USER = "urn:cisco:nfv:oauth:grant-type:switch-user";

/** Every grant the platform (and so the sandbox) supports. */
export const ALL_GRANT_TYPES = [
  GRANT_PASSWORD,
  GRANT_REFRESH_TOKEN,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_SWITCH_TENANT,
  GRANT_SWITCH_USER,
] as const;
