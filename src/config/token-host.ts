import type { PlatformConfig } from "./platform-config.js";
import type { ConfigVariable } from "./variables.js";

/**
 * A warning when the token endpoint is on another host than the API, naming where each URL came
 * from: the password and client secret go to the token endpoint, and a stray `.env` in the current
 * directory once pointed MSX_TOKEN_URL elsewhere without a word. Hosts are compared by name (a
 * different port on the same host is the same machine). Undefined when they agree, or when there
 * is no base URL to compare with.
 */
export function tokenHostWarning(
  config: Pick<PlatformConfig, "baseUrl" | "tokenUrl">,
  sourceOf: (name: ConfigVariable) => string | undefined,
): string | undefined {
  // Without a configured token URL the issuer's metadata names it: nothing to compare yet.
  if (config.baseUrl === undefined || config.tokenUrl === undefined) return undefined;
  const tokenHost = new URL(config.tokenUrl).hostname;
  const apiHost = new URL(config.baseUrl).hostname;
  if (tokenHost === apiHost) return undefined;
  const from = (name: ConfigVariable) => sourceOf(name) ?? "unknown source";
  return (
    `the token endpoint is on another host than the API: MSX_TOKEN_URL (from ${from("MSX_TOKEN_URL")}) ` +
    `is on ${tokenHost}, MSX_BASE_URL (from ${from("MSX_BASE_URL")}) is on ${apiHost}. ` +
    `The password and client secret are sent to ${tokenHost}; if that is not your platform's ` +
    "sign-in server, fix or remove MSX_TOKEN_URL."
  );
}
