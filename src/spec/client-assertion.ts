/**
 * JWT client assertions (RFC 7523 §2.2, `private_key_jwt`) as they appear on the wire. The client
 * sends them (src/auth) and the nock kit checks them (src/testing): both take the words from here.
 */

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
