import { TOKEN_EXCHANGE_GRANT_TYPE } from "../auth/grants.js";
import { grants } from "./command-options.js";

export type GrantChoice = (typeof grants)[number];

/**
 * A --grant value as one of {@link grants}: case and `_`/`-` don't matter, so the OAuth spelling
 * (`client_credentials`, `refresh_token`) works as well as the CLI's (`client-credentials`).
 */
export function grantChoice(text: string): GrantChoice | undefined {
  const name = text.trim().toLowerCase().replace(/_/g, "-");
  if (name === "refresh-token") return "refresh";
  if (name === "urn:ietf:params:oauth:grant-type:device-code") return "device-code";
  if (name === TOKEN_EXCHANGE_GRANT_TYPE) return "token-exchange";
  if (name === "web" || name === "browser") return "authorization-code";
  return grants.find((grant) => grant === name);
}
