import {
  AUTHORIZATION_CODE_GRANT_TYPE,
  type AuthorizationPrompt,
  authorizationRequestUrl,
  createPkce,
  createState,
  type ExpectedCallback,
  readCallback,
} from "./authorization-code.js";
import { type CallbackDecision, listenForCallback } from "./authorization-code-listener.js";
import { requestToken, type TokenEndpoint } from "./token-request.js";
import type { TokenSet } from "./types.js";

/** Where the user signs in, and which issuer must answer. */
export interface AuthorizationServer {
  authorizationEndpoint: string;
  /** The configured issuer, when there is one: the callback's `iss` must name it. */
  issuer?: string | undefined;
  /** RFC 9207 §3: the metadata's `authorization_response_iss_parameter_supported`. */
  issRequired?: boolean | undefined;
}

export interface AuthorizationCodeFlowContext {
  server: AuthorizationServer;
  endpoint: TokenEndpoint;
  prompt: (prompt: AuthorizationPrompt) => void;
  port: number;
  redirectPath: string;
  timeoutMs: number;
  parameters?: Readonly<Record<string, string>> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The authorization code grant for a native app (RFC 8252), with PKCE (RFC 7636, S256): listens
 * on a loopback redirect (§7.3), sends the user's browser to the authorization endpoint with a
 * fresh `state` and code challenge, takes the one answer that carries the same `state` (RFC 6749
 * §4.1.2, §10.12), then exchanges the code with its `code_verifier` at the token endpoint
 * (RFC 6749 §4.1.3, RFC 7636 §4.5) with the client's authentication, if it has any.
 */
export async function runAuthorizationCodeFlow(
  context: AuthorizationCodeFlowContext,
): Promise<TokenSet> {
  const { endpoint } = context;
  const pkce = createPkce();
  const expected: ExpectedCallback = {
    state: createState(),
    issuer: context.server.issuer,
    issRequired: context.server.issRequired,
  };
  const listener = await listenForCallback<string>({
    port: context.port,
    path: context.redirectPath,
    timeoutMs: context.timeoutMs,
    signal: context.signal,
    decide: (query): CallbackDecision<string> => {
      const answer = readCallback(query, expected);
      if (!(answer instanceof Error)) return { page: "success", outcome: answer.code };
      const page =
        answer.code === "ERR_OAUTH"
          ? "refused"
          : (answer as { reason?: string }).reason === "invalid_callback"
            ? "invalid"
            : "mismatch";
      return { page, outcome: answer };
    },
  });
  let code: string;
  try {
    const authorizationUrl = authorizationRequestUrl({
      authorizationEndpoint: context.server.authorizationEndpoint,
      clientId: endpoint.clientId,
      redirectUri: listener.redirectUri,
      scope: endpoint.scope,
      state: expected.state,
      codeChallenge: pkce.challenge,
      parameters: context.parameters,
    });
    context.prompt({
      authorizationUrl,
      redirectUri: listener.redirectUri,
      expiresAt: endpoint.clock() + context.timeoutMs,
    });
    code = await listener.outcome;
  } finally {
    await listener.close();
  }
  return requestToken(endpoint, {
    grantType: AUTHORIZATION_CODE_GRANT_TYPE,
    // §4.1.3: redirect_uri exactly as in the authorization request.
    parameters: { code, redirect_uri: listener.redirectUri, code_verifier: pkce.verifier },
    secrets: [code, pkce.verifier],
  });
}
