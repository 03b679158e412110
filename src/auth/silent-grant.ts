import { PassgrantError } from "../errors.js";

/** The `grant.type` of silent acquisition: not an OAuth grant (those are URIs or RFC names). */
export const SILENT_GRANT = "silent";

/**
 * Silent acquisition found nothing to serve: no token for the identity in the store, or one that
 * expired with no refresh token, or a refresh token the server refused (RFC 6749 §5.2
 * `invalid_grant`). Signing in again with the identity's own grant is the way out.
 */
export class SignInRequiredError extends PassgrantError {
  constructor(options?: { cause?: unknown }) {
    super(
      "ERR_SIGN_IN_REQUIRED",
      "No usable token is cached for this identity (none, or one that expired without a usable " +
        "refresh token): sign in again with its own grant, which saves a new token in the store.",
      options,
    );
  }
}
