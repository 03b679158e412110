import { createTokenProvider } from "../auth/token-provider.js";
import type { Grant, TokenEvent, TokenProvider, TokenStore } from "../auth/types.js";
import type { PlatformConfig } from "../config/platform-config.js";
import type { TransportSettings } from "../config/transport-settings.js";
import { createTransport, type Transport, type TransportOptions } from "../transport/transport.js";

/**
 * The one place a platform's configuration becomes a transport and a token provider sharing it.
 * `createSession` and the CLI's `openSession` both wire through here, each adding its own hooks
 * (the CLI logs them with --verbose).
 */
export interface PlatformWiringOptions {
  /** @default the password grant with the configured user (RFC 6749 §4.3) */
  grant?: Grant;
  store?: TokenStore;
  storeKey?: string;
  /** Overrides the configured `tokenUrl` (e.g. taken from the spec's security scheme). */
  tokenUrl?: string;
  /**
   * Overrides the configured `issuer` (e.g. the spec's `openIdConnect` scheme): its discovery
   * document names the endpoints, so the configured token URL's default is not used.
   */
  issuer?: string;
  /** Overrides the configured scope. */
  scope?: string;
  onTokenEvent?: (event: TokenEvent) => void;
  /** Waits between device flow polls (a test hook). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The transport's hooks, and how it sends the authorization server's form posts. */
  transportHooks?: Pick<
    TransportOptions,
    "onWarning" | "onResponse" | "onRetry" | "onRequestError" | "formsOverNodeHttp"
  >;
}

export interface PlatformWiring {
  readonly transport: Transport;
  readonly provider: TokenProvider;
}

/** The password grant with the configured user (RFC 6749 §4.3). */
export function passwordGrant(config: PlatformConfig): Grant {
  return { type: "password", username: config.username ?? "", password: config.password ?? "" };
}

export function wirePlatform(
  config: PlatformConfig,
  options: PlatformWiringOptions = {},
): PlatformWiring {
  const transport = createPlatformTransport(config, options.transportHooks);
  return { transport, provider: createPlatformProvider(config, transport, options) };
}

/** The transport alone: a session reads a spec by URL through it before its provider exists. */
export function createPlatformTransport(
  config: TransportSettings,
  hooks: PlatformWiringOptions["transportHooks"] = {},
): Transport {
  return createTransport({
    timeoutMs: config.timeoutMs,
    ...(config.retries !== undefined ? { retry: { limit: config.retries } } : {}),
    ...(config.maxResponseBytes !== undefined ? { maxResponseBytes: config.maxResponseBytes } : {}),
    ...(config.caFile ? { caFile: config.caFile } : {}),
    ...(config.clientCertFile ? { clientCertFile: config.clientCertFile } : {}),
    ...(config.clientCertKeyFile ? { clientCertKeyFile: config.clientCertKeyFile } : {}),
    insecureTls: config.insecureTls,
    ...hooks,
  });
}

/** The token provider, sending through `transport`. */
export function createPlatformProvider(
  config: PlatformConfig,
  transport: Transport,
  options: Omit<PlatformWiringOptions, "transportHooks"> = {},
): TokenProvider {
  const scope = options.scope ?? config.scope;
  const issuer = options.issuer ?? config.issuer;
  const tokenUrl =
    options.issuer !== undefined ? options.tokenUrl : (options.tokenUrl ?? config.tokenUrl);
  return createTokenProvider({
    ...(tokenUrl !== undefined ? { tokenUrl } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    clientId: config.clientId,
    ...(config.clientSecret !== undefined ? { clientSecret: config.clientSecret } : {}),
    clientAuth: config.clientAuth,
    ...(config.clientAssertionKeyFile
      ? { clientAssertionKeyFile: config.clientAssertionKeyFile }
      : {}),
    grant: options.grant ?? passwordGrant(config),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(scope ? { scope } : {}),
    fetch: transport.fetch,
    ...(options.store ? { store: options.store } : {}),
    ...(options.storeKey ? { storeKey: options.storeKey } : {}),
    ...(options.onTokenEvent ? { onEvent: options.onTokenEvent } : {}),
  });
}
