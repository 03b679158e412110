import type { operations as MsxOperations, paths as MsxPaths } from "../../generated/msx.js";
import { bearerAuth } from "../auth/bearer-middleware.js";
import type {
  ClientAuthMethod,
  Grant,
  TokenEvent,
  TokenProvider,
  TokenStore,
} from "../auth/types.js";
import { createApiClient } from "../client/create-api-client.js";
import type { StrictClient } from "../client/strict-client.js";
import { loadEnvironment, type ReadEnvironmentOptions } from "../config/environment.js";
import type { PlatformConfig } from "../config/platform-config.js";
import { loadPlatformConfig } from "../config/platform-config.js";
import { optionVariableNames } from "../config/variables.js";
import { ConfigError } from "../errors.js";
import type { SpecDocument } from "../spec/document.js";
import { msxOperations } from "../spec/msx-operations.js";
import { httpErrorFromResponse } from "../transport/response-body.js";
import type { Transport, TransportOptions } from "../transport/transport.js";
import { InvalidRequestError, UnknownOperationError } from "./errors.js";
import { noCredentialsProvider } from "./no-credentials.js";
import { type PaginateOptions, paginate } from "./paginate.js";
import { type ParameterWire, serializersOf } from "./parameter-serializers.js";
import { createRequestCheck } from "./request-validator.js";
import type { CallArgs, CallResult, PageItem, PaginateArgs, UntypedInit } from "./types.js";
import { createPlatformProvider, createPlatformTransport } from "./wiring.js";

/** Where an operation lives: what `call()` needs to send it. */
export interface OperationRouteEntry {
  readonly method: string;
  readonly path: string;
  /**
   * How its parameters are written (OpenAPI 3.0.3 §4.7.12.4 "Style Values"); a parameter not
   * listed gets its location's default style. The bundled MSX spec uses the defaults only, so its
   * compiled table (`msxOperations`) lists none.
   */
  readonly parameters?: readonly ParameterWire[];
}

/**
 * The settings of a session: the CLI's settings under their option names. Options left out are
 * read from the environment (the CLI's `MSX_*` variables, with `.env` underneath), and every
 * missing or bad value is reported at once in one `ConfigError`.
 */
export interface CreateSessionOptions {
  /** The platform's root URL, e.g. `https://msx.example.com`. */
  baseUrl?: string;
  /**
   * @default the spec's oauth2 flow's `tokenUrl`, else its `openIdConnect` issuer's, else
   * `${baseUrl}/idm/v2/token`
   */
  tokenUrl?: string;
  /** The authorization server whose metadata names the endpoints (RFC 8414, OpenID Connect). */
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  /** @default "private_key_jwt" with `clientAssertionKeyFile`, else "basic" */
  clientAuth?: ClientAuthMethod;
  /**
   * The PEM file of the client's private key for `clientAuth: "private_key_jwt"` (RFC 7523).
   * @default undefined
   */
  clientAssertionKeyFile?: string;
  /**
   * The PEM file of a TLS client certificate (RFC 8705), presented to the token endpoint and the
   * API alike; for `clientAuth: "tls_client_auth"` and certificate-bound tokens.
   * @default undefined
   */
  clientCertFile?: string;
  /**
   * The PEM file of `clientCertFile`'s private key.
   * @default undefined (the key in `clientCertFile` itself)
   */
  clientCertKeyFile?: string;
  username?: string;
  password?: string;
  scope?: string;
  caFile?: string;
  /** @default false */
  insecureTls?: boolean;
  /** @default 30000 */
  timeoutMs?: number;
  /** @default 2 */
  retries?: number;
  /** @default 16777216 (16 MiB) */
  maxResponseBytes?: number;
  /**
   * A configuration already loaded (e.g. by `loadPlatformConfig`): used as it is, and neither
   * the options above nor the environment are read.
   */
  config?: PlatformConfig;
  /**
   * Where options left out come from: `process.env` with `./.env` underneath by default (the
   * CLI's rules), another environment or `.env` file, or `false` for the options alone.
   * @default {}
   */
  environment?: ReadEnvironmentOptions | false;
  /**
   * The API's OpenAPI 3 document: a file path, a `file:` or `http(s):` URL, or a parsed
   * document. Operations are called by its operationIds.
   * @default the bundled `openapi/msx.yaml`
   */
  spec?: string | URL | object;
  /**
   * Check each call's parameters and body against the spec's schemas before sending it, so the
   * server never sees a request its own spec forbids (an `InvalidRequestError` instead). Needs
   * the optional peers `openapi-backend`, `ajv-formats` and `yaml`, loaded on the first call.
   * @default true
   */
  validate?: boolean;
  /** @default the password grant with `username` and `password` (RFC 6749 §4.3) */
  grant?: Grant;
  /**
   * Call only the operations whose spec says `security: []`, with no credentials at all: no
   * client id, secret, user or token endpoint is needed, and no token is obtained. Calling any
   * other operation is a `ConfigError`.
   * @default false
   */
  anonymous?: boolean;
  /** Where tokens are cached (default: in memory). */
  store?: TokenStore;
  storeKey?: string;
  /** Token events (`grant`, `token`, `cache-hit`, `refresh-failed`, `warning`). */
  onTokenEvent?: (event: TokenEvent) => void;
  /** Transport hooks, each seeing redacted URLs only. */
  onResponse?: TransportOptions["onResponse"];
  onRetry?: TransportOptions["onRetry"];
  onWarning?: TransportOptions["onWarning"];
  onRequestError?: TransportOptions["onRequestError"];
}

/** One platform: a transport, a token provider, the typed client, and calls by operationId. */
export interface Session<Paths extends {} = MsxPaths, Operations = MsxOperations> {
  readonly config: PlatformConfig;
  readonly transport: Transport;
  readonly provider: TokenProvider;
  /** Path-style calls (`session.client.GET("/path", …)`), as openapi-fetch answers them. */
  readonly client: StrictClient<Paths, "application/json">;
  /** Where each operation of the spec lives, by operationId. */
  readonly operations: ReadonlyMap<string, OperationRouteEntry>;
  /**
   * Sends the operation and resolves to its 2xx JSON body. Any other answer throws an
   * `HttpError` with the real method, the redacted URL, the status, the request id, the
   * response `headers` and the platform's `{ code, message }` (`platformError`), redacted.
   */
  call<K extends keyof Operations & string>(
    operationId: K,
    ...args: CallArgs<Operations[K]>
  ): Promise<CallResult<Operations[K]>>;
  /**
   * `call()` for a spec known only at run time (the CLI's `passgrant api`), keeping the
   * `Response` (status and headers; its body already read): the same checks, the same errors.
   */
  send(
    operationId: string,
    init?: UntypedInit,
  ): Promise<{ readonly data: unknown; readonly response: Response }>;
  /**
   * Iterates the items of a listing operation across its pages (see {@link PaginateOptions}):
   * page/pageSize APIs with `hasNext` or `totalItems`, array pages, and RFC 8288
   * `Link: rel="next"`. A page that makes no progress stops it with an `UnexpectedResponseError`.
   */
  paginate<K extends keyof Operations & string>(
    operationId: K,
    ...args: PaginateArgs<Operations[K], PaginateOptions>
  ): AsyncGenerator<PageItem<CallResult<Operations[K]>>, void, undefined>;
  /** Releases the transport's connections. */
  close(): Promise<void>;
}

/**
 * Validates the settings (options over the environment) with the CLI's own loader, so a script
 * meets the same checks and gets every problem at once.
 */
export function resolveSessionConfig(options: CreateSessionOptions): PlatformConfig {
  return resolveConfig(options).config;
}

/** The configuration, and whether the token URL and scope were set rather than defaulted. */
function resolveConfig(options: CreateSessionOptions): {
  config: PlatformConfig;
  explicit: { tokenUrl: boolean; scope: boolean; issuer: boolean };
} {
  if (options.config)
    return { config: options.config, explicit: { tokenUrl: true, scope: true, issuer: true } };
  const env: Record<string, string | undefined> =
    options.environment === false ? {} : { ...loadEnvironment(options.environment ?? {}).env };
  for (const [option, variable] of Object.entries(optionVariableNames)) {
    const value = (options as Readonly<Record<string, unknown>>)[option];
    if (value !== undefined) env[variable] = String(value);
  }
  const userGrant =
    !options.anonymous && (options.grant === undefined || options.grant.type === "password");
  const isSet = (name: string) => (env[name] ?? "").trim() !== "";
  const credentials = options.anonymous ? { clientId: false, clientSecret: false } : {};
  return {
    config: loadPlatformConfig(env, { username: userGrant, password: userGrant, ...credentials }),
    explicit: {
      tokenUrl: isSet(optionVariableNames.tokenUrl),
      scope: isSet(optionVariableNames.scope),
      issuer: isSet(optionVariableNames.issuer),
    },
  };
}

/**
 * Opens a session on a platform: one transport shared by the token provider and the client, the
 * spec's operations callable by operationId. Give `Paths` and `Operations` (openapi-typescript's
 * `paths` and `operations`) for another spec's compile-time types; the MSX ones are the default.
 * Close the session when done.
 */
export async function createSession<Paths extends {} = MsxPaths, Operations = MsxOperations>(
  options: CreateSessionOptions = {},
): Promise<Session<Paths, Operations>> {
  const { config, explicit } = resolveConfig(options);
  if (config.baseUrl === undefined) {
    throw new ConfigError(
      "baseUrl is not set: a session calls the platform's API at its root URL.",
    );
  }
  const transport = createPlatformTransport(config, {
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.onRequestError ? { onRequestError: options.onRequestError } : {}),
  });
  try {
    const { operations, document } = await specOf(options.spec, transport);
    const auth = document
      ? await specAuthOf(document, config.baseUrl, options.grant?.type ?? "password")
      : undefined;
    // Explicit settings win over the spec's (an option, MSX_TOKEN_URL, MSX_ISSUER or MSX_SCOPE).
    // An openIdConnect scheme's issuer counts only where neither names the token endpoint.
    const specIssuer =
      !explicit.tokenUrl && !explicit.issuer && !auth?.tokenUrl ? auth?.issuer : undefined;
    const provider = options.anonymous
      ? noCredentialsProvider()
      : createPlatformProvider(config, transport, {
          ...(options.grant ? { grant: options.grant } : {}),
          ...(options.store ? { store: options.store } : {}),
          ...(options.storeKey ? { storeKey: options.storeKey } : {}),
          ...(options.onTokenEvent ? { onTokenEvent: options.onTokenEvent } : {}),
          ...(!explicit.tokenUrl && auth?.tokenUrl ? { tokenUrl: auth.tokenUrl } : {}),
          ...(!explicit.scope && auth?.scope ? { scope: auth.scope } : {}),
          ...(specIssuer ? { issuer: specIssuer } : {}),
        });
    const check =
      options.validate === false
        ? undefined
        : createRequestCheck(
            document ?? (() => import("../spec/msx-spec.js").then((m) => m.loadMsxDocument())),
          );
    const client = createApiClient<Paths, "application/json">({
      baseUrl: config.baseUrl,
      fetch: transport.fetch,
      middleware: [bearerAuth(provider)],
    });
    // For operations whose spec says `security: []`: no token is fetched or sent.
    const anonymousClient = auth?.anonymous.size
      ? createApiClient<Paths, "application/json">({
          baseUrl: config.baseUrl,
          fetch: transport.fetch,
        })
      : client;
    const secrets = () => [
      ...provider.knownSecrets(),
      ...[config.password, config.clientSecret].filter((s): s is string => Boolean(s)),
    ];
    const routeOf = (operationId: string) => {
      const route = operations.get(operationId);
      if (!route) throw new UnknownOperationError(operationId, operations.keys());
      return route;
    };
    /** Sends one operation; a status other than 2xx is an HttpError. */
    const send = async (operationId: string, init: Record<string, unknown>) => {
      const route = routeOf(operationId);
      if (options.anonymous && !auth?.anonymous.has(operationId)) {
        throw new ConfigError(
          `${operationId} needs credentials (its spec does not say \`security: []\`), and this session is anonymous.`,
        );
      }
      checkPathParameters(operationId, route.path, init.path as Record<string, unknown>);
      await check?.(operationId, { method: route.method, path: route.path, init });
      const { path, query, header, cookie, body, signal } = init;
      const request = (auth?.anonymous.has(operationId)
        ? anonymousClient
        : client) as unknown as RequestClient;
      const wire = serializersOf(route);
      const result = await request.request(route.method.toLowerCase(), route.path, {
        params: {
          path,
          query,
          header: wire.headers(
            header as Record<string, unknown> | undefined,
            cookie as Record<string, unknown> | undefined,
          ),
        },
        pathSerializer: wire.path,
        querySerializer: wire.query,
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
      });
      if (!result.response.ok) {
        throw await httpErrorFromResponse(result.response, {
          method: route.method,
          secrets: secrets(),
          ...(result.error !== undefined ? { body: result.error } : {}),
        });
      }
      return { data: result.data, response: result.response };
    };
    return {
      config,
      transport,
      provider,
      client,
      operations,
      async call(operationId, ...args) {
        const { data } = await send(operationId, (args[0] ?? {}) as Record<string, unknown>);
        return data as never;
      },
      send: (operationId, init = {}) => send(operationId, init as Record<string, unknown>),
      paginate(operationId, ...args) {
        const route = routeOf(operationId);
        const [init = {}, paginateOptions] = args;
        return paginate(
          (pageInit) => send(operationId, pageInit),
          route.method,
          init as Record<string, unknown>,
          paginateOptions,
        ) as never;
      },
      close: () => transport.close(),
    };
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
}

/** openapi-fetch's method-by-name call, untyped: `call()` types it from `operations` instead. */
interface RequestClient {
  request(
    method: string,
    path: string,
    init: Record<string, unknown>,
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/** A `{name}` left in the path would be sent literally, to a URL the spec never described. */
function checkPathParameters(
  operationId: string,
  path: string,
  given: Record<string, unknown> | undefined,
): void {
  const missing = [...path.matchAll(/\{([^}]+)\}/g)]
    .map((match) => match[1] as string)
    .filter((name) => given?.[name] === undefined || given[name] === null);
  if (missing.length > 0) {
    throw new InvalidRequestError(
      operationId,
      missing.map((name) => `path parameter ${name} is required`),
    );
  }
}

/** The spec's auth defaults (their modules loaded only for a session given a spec). */
async function specAuthOf(document: SpecDocument, baseUrl: string, grantType: string) {
  const [{ authFromSpec }, { resolveRef }] = await Promise.all([
    import("./spec-auth.js"),
    import("../spec/resolve-ref.js"),
  ]);
  return authFromSpec(document, baseUrl, grantType, (value) => resolveRef(document, value));
}

/**
 * The operation table of `spec`, and the document when one was read. The bundled MSX spec's
 * table is compiled in (`msxOperations`), so a default session parses no YAML until a call is
 * checked against the spec; another spec is read (and the YAML parser loaded) here.
 */
async function specOf(
  spec: CreateSessionOptions["spec"],
  transport: Transport,
): Promise<{
  operations: ReadonlyMap<string, OperationRouteEntry>;
  document?: SpecDocument;
}> {
  if (spec === undefined) return { operations: new Map(Object.entries(msxOperations)) };
  const { loadSpec } = await import("./load-spec.js");
  const document = await loadSpec(spec, transport.fetch);
  const { operationTable } = await import("../spec/operations.js");
  return { operations: operationTable(document), document };
}
