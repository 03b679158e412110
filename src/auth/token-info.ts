/** Which kind of token is sent (RFC 7009 §2.1, RFC 7662 §2.1): a hint the server may ignore. */
export type TokenTypeHint = "access_token" | "refresh_token";

/** What the server says about a token (RFC 7662 §2.2); members beyond `active` are optional. */
export interface IntrospectionResult {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  token_type?: string;
  /** Seconds since the epoch. */
  exp?: number;
  iat?: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  [member: string]: unknown;
}
