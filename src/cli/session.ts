import { bearerAuth } from "../auth/bearer-middleware.js";
import type { Grant, TokenProvider, TokenStore } from "../auth/types.js";
import { createMsxClient, type MsxClient } from "../client/msx.js";
import type { PlatformConfig, TransportSettings } from "../config/index.js";
import { ConfigError, type PassgrantError } from "../errors.js";
import type { Session } from "../session/create-session.js";
import type { UntypedOperations } from "../session/types.js";
import {
  createPlatformTransport,
  type PlatformWiringOptions,
  passwordGrant,
  wirePlatform,
} from "../session/wiring.js";
import type { SpecDocument } from "../spec/document.js";
import type { Transport } from "../transport/transport.js";
import { inCliWords } from "./advice.js";
import type { Logger } from "./logger.js";

/** A configured platform: one transport shared by the token provider and the API client. */
export interface PlatformSession {
  readonly config: PlatformConfig;
  readonly transport: Transport;
  readonly provider: TokenProvider;
  readonly client: MsxClient;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Default: the password grant with the configured user. */
  grant?: Grant;
  store?: TokenStore;
  storeKey?: string;
}

export { passwordGrant };

/**
 * What --verbose shows of a session: every request as method, redacted URL, status and
 * duration; which grant ran or that the cache answered. Never a header, a body or a token.
 */
function sessionHooks(log: Logger): Required<Pick<PlatformWiringOptions, "onTokenEvent">> & {
  transportHooks: NonNullable<PlatformWiringOptions["transportHooks"]>;
} {
  return {
    transportHooks: {
      // A command that only needs a token (token, credential helpers) then never loads Node's
      // fetch: the largest single start-up cost of a fresh grant.
      formsOverNodeHttp: true,
      // Transport warnings (insecure TLS) are already worded loudly; only the options they name
      // become variables.
      onWarning: (message) => log.info(inCliWords(message)),
      onResponse: ({ method, url, status, durationMs }) =>
        log.debug(`${method} ${url} -> ${status} (${Math.round(durationMs)} ms)`),
      onRetry: ({ method, url, status, error, retry, limit, delayMs, retryAfter }) =>
        log.debug(
          `${method} ${url} -> ${status ?? describeFailure(error)}: retry ${retry} of ${limit} in ${delayMs} ms${retryAfter ? " (Retry-After)" : ""}`,
        ),
      onRequestError: ({ method, url, error, durationMs }) =>
        log.debug(`${method} ${url} -> ${error.code} (${Math.round(durationMs)} ms)`),
    },
    onTokenEvent: (event) => {
      switch (event.type) {
        case "grant":
          log.debug(`token: requesting a token (grant ${event.grantType})`);
          break;
        case "token":
          log.debug(`token: obtained (grant ${event.grantType})`);
          break;
        case "cache-hit":
          log.debug("token: reused a valid token");
          break;
        case "authorization-url":
          log.debug(`token: waiting for the browser to come back to ${event.redirectUri}`);
          break;
        case "refresh-failed":
          log.debug(`token: refresh failed (${event.error.code}), running the original grant`);
          break;
        case "warning":
          log.warn(event.message);
          break;
      }
    },
  };
}

/**
 * Wires transport, token provider and typed client for one platform, logging as
 * {@link sessionHooks} says.
 */
export function openSession(
  config: PlatformConfig,
  log: Logger,
  options: SessionOptions = {},
): PlatformSession {
  const { transport, provider } = wirePlatform(config, { ...options, ...sessionHooks(log) });
  // Tokens issued during the run are masked in every later log and error line.
  log.addSecretSource(() => provider.knownSecrets());
  // Made on first use: `passgrant token` never calls the API, and creating an openapi-fetch client
  // touches globalThis.Request, which loads Node's whole built-in fetch (~20 ms of start-up).
  let client: MsxClient | undefined;
  return {
    config,
    transport,
    provider,
    get client() {
      // Commands that call the API require MSX_BASE_URL when loading the configuration.
      if (config.baseUrl === undefined) {
        throw new ConfigError("MSX_BASE_URL is not set: API calls need the platform's root URL.");
      }
      client ??= createMsxClient({
        baseUrl: config.baseUrl,
        fetch: transport.fetch,
        middleware: [bearerAuth(provider)],
      });
      return client;
    },
    close: () => transport.close(),
  };
}

/**
 * A transport alone, configured and logged as a session's is: for a request made before signing
 * in (reading `--spec URL`).
 */
export function openTransport(settings: TransportSettings, log: Logger): Transport {
  return createPlatformTransport(settings, sessionHooks(log).transportHooks);
}

/** A session calling operations by operationId, for a spec known only at run time. */
export type ApiSession = Session<Record<string, never>, UntypedOperations>;

/**
 * The machinery of `passgrant api`, shared by the commands that call operations by their id
 * (`passgrant tenants`): `createSession` with the CLI's configuration, logged like
 * {@link openSession}. `spec` defaults to the bundled MSX spec (its operation table, no YAML).
 */
export async function openApiSession(
  config: PlatformConfig,
  log: Logger,
  options: SessionOptions & { spec?: SpecDocument; validate?: boolean; anonymous?: boolean } = {},
): Promise<ApiSession> {
  const { createSession } = await import("../session/create-session.js");
  const { transportHooks, onTokenEvent } = sessionHooks(log);
  const session = await createSession<Record<string, never>, UntypedOperations>({
    config,
    ...options,
    ...transportHooks,
    onTokenEvent,
  });
  log.addSecretSource(() => session.provider.knownSecrets());
  return session;
}

/** A failure before any response, for a log line: the code and its system cause. */
function describeFailure(error: PassgrantError | undefined): string {
  if (!error) return "failed";
  const cause = (error as { causeCode?: unknown }).causeCode;
  return typeof cause === "string" ? `${error.code} (${cause})` : error.code;
}
