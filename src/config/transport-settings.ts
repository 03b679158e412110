import { dropUndefined } from "../drop-undefined.js";
import { ConfigError } from "../errors.js";
import type { Environment } from "./environment.js";
import {
  type PlatformConfig,
  parseVariables,
  setVariables,
  transportOptionsOf,
} from "./platform-config.js";

/**
 * What a transport is made of: trust (CA file, insecure TLS), the TLS client certificate,
 * timeout, retries, size bound.
 */
export type TransportSettings = Pick<
  PlatformConfig,
  | "caFile"
  | "clientCertFile"
  | "clientCertKeyFile"
  | "insecureTls"
  | "timeoutMs"
  | "retries"
  | "maxResponseBytes"
>;

const transportVariables = [
  "MSX_CA_FILE",
  "MSX_CLIENT_CERT_FILE",
  "MSX_CLIENT_CERT_KEY_FILE",
  "MSX_INSECURE_TLS",
  "MSX_TIMEOUT_MS",
  "MSX_RETRIES",
  "MSX_MAX_RESPONSE_BYTES",
] as const;

/**
 * The transport's variables alone, read and checked as {@link loadPlatformConfig} reads them,
 * for a request that needs no platform or credentials (reading a spec by URL before signing in).
 */
export function loadTransportSettings(env: Environment): TransportSettings {
  const set = setVariables(env);
  const input: Record<string, string> = {};
  for (const name of transportVariables) {
    if (set[name] !== undefined) input[name] = set[name];
  }
  const problems: string[] = [];
  const values = parseVariables(input, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return dropUndefined(transportOptionsOf(values));
}
