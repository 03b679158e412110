import type { FormReply } from "../transport/form-post.js";
import { postClientForm, sentClientSecrets } from "./client-post.js";
import type { IntrospectionResult, TokenTypeHint } from "./token-info.js";
import type { TokenEndpoint } from "./token-request.js";
import { parseTokenResponse } from "./token-response.js";
import { TokenResponseError } from "./token-response-error.js";

const MAX_INTROSPECTION_BYTES = 256 * 1024;

/** POSTs `token` (with the client's authentication) to a revocation or introspection endpoint. */
async function postToken(
  url: string,
  endpoint: Omit<TokenEndpoint, "tokenUrl">,
  token: string,
  hint: TokenTypeHint | undefined,
): Promise<FormReply> {
  const form = new URLSearchParams({ token });
  if (hint) form.set("token_type_hint", hint);
  const response = await postClientForm(url, endpoint, form);
  if (!response.ok) {
    // Error bodies are RFC 6749 §5.2 ones (RFC 7009 §2.2.1, RFC 7662 §2.3): parsed as such.
    await parseTokenResponse(response, {
      tokenUrl: url,
      requestedAt: endpoint.clock(),
      secrets: [
        token,
        ...(endpoint.clientSecret ? [endpoint.clientSecret] : []),
        ...sentClientSecrets(form),
      ],
      warn: endpoint.warn,
      hintFor: (error) =>
        error === "unsupported_token_type"
          ? "The server does not revoke this kind of token; it stays valid until it expires"
          : undefined,
    });
  }
  return response;
}

/**
 * RFC 7009: asks the server to revoke `token`. A 200 means done, also for a token the server no
 * longer knows (§2.2); the body is ignored.
 */
export async function revokeToken(
  url: string,
  endpoint: Omit<TokenEndpoint, "tokenUrl">,
  token: string,
  hint?: TokenTypeHint,
): Promise<void> {
  const response = await postToken(url, endpoint, token, hint);
  await response.discard();
}

/** RFC 7662: what the server says about `token` (`active` false for an unknown or expired one). */
export async function introspectToken(
  url: string,
  endpoint: Omit<TokenEndpoint, "tokenUrl">,
  token: string,
  hint?: TokenTypeHint,
): Promise<IntrospectionResult> {
  const response = await postToken(url, endpoint, token, hint);
  const { text, truncated } = await response.readText(MAX_INTROSPECTION_BYTES);
  let body: unknown;
  try {
    if (truncated) throw new Error();
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (
    typeof body !== "object" ||
    body === null ||
    Array.isArray(body) ||
    typeof (body as { active?: unknown }).active !== "boolean"
  ) {
    throw new TokenResponseError({
      problem:
        "the introspection response is not a JSON object with a boolean `active` (RFC 7662 §2.2)",
      status: response.status,
    });
  }
  return body as IntrospectionResult;
}
