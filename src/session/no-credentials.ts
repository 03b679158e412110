import type { TokenProvider } from "../auth/types.js";
import { ConfigError } from "../errors.js";

/**
 * The token provider of an anonymous session (`createSession({ anonymous: true })`): it has no
 * client or user, so every request for a token is refused, saying why. Only the operations whose
 * spec says `security: []` are called, and they never ask it.
 */
export function noCredentialsProvider(): TokenProvider {
  const refuse = async (): Promise<never> => {
    throw new ConfigError(
      "This session has no credentials (anonymous): only operations whose spec says `security: []` can be called. Give clientId (and the rest of the sign-in settings) for the others.",
    );
  };
  return {
    getToken: refuse,
    getAccessToken: refuse,
    invalidate: () => {},
    switchTenant: refuse,
    switchUser: refuse,
    revoke: refuse,
    introspect: refuse,
    serverMetadata: async () => undefined,
    knownSecrets: () => [],
  };
}
