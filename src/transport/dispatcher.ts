import type { Agent, Dispatcher, ProxyAgent } from "undici";
import { ConfigError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { isLoopbackHost } from "./loopback.js";
import { parseNoProxy } from "./no-proxy.js";
import type { TlsConnectOptions } from "./tls-options.js";

/** `"env"` reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY; `"none"` connects directly; else a proxy URL. */
export type ProxySetting = "env" | "none" | string;

/**
 * The dispatchers passgrant's requests go through: Node's global one when no TLS setting or
 * proxy applies, else passgrant's own undici agents (one direct agent, and proxy agents).
 */
export interface DispatcherSet {
  /**
   * The dispatcher for a request to `url` (the first one needing an agent of passgrant's own loads
   * undici). Node's own agent is returned as it is, not in a promise: most requests use it, and
   * awaiting it cost every request a turn of the microtask queue.
   */
  forUrl(url: URL): Dispatcher | Promise<Dispatcher>;
  /** Whether a request to `url` goes through a proxy. */
  proxied(url: URL): boolean;
  close(): Promise<void>;
}

/**
 * Creates the dispatchers passgrant's transport hands to the global fetch. They come from the
 * `undici` 6 package, the same major as Node 20's built-in fetch, which accepts them through the
 * `dispatcher` init member. TLS settings live here and nowhere else, so they apply to passgrant's
 * requests only, never to the process (NODE_TLS_REJECT_UNAUTHORIZED is never touched).
 */
export function createDispatchers(options: {
  tls: TlsConnectOptions;
  proxy?: ProxySetting;
  env?: NodeJS.ProcessEnv;
}): DispatcherSet {
  const env = options.env ?? process.env;
  const proxies = resolveProxies(options.proxy ?? "env", env);
  const bypass = parseNoProxy(proxies.noProxy);
  const agents = new Map<string, ProxyAgent>();
  // With no CA, no insecureTls, no client certificate (nor any other connect option), a direct
  // request needs nothing Node's own fetch agent lacks.
  const ownDirectAgent = Object.keys(options.tls).length > 0;
  // undici (some 90 ms of module loading) is loaded by the first request that needs an agent of
  // passgrant's own (TLS settings, a proxy), not by importing passgrant: a plain request, or
  // `passgrant token --cache` answering from its cache, never pays for it.
  let undici: Promise<{ module: UndiciAgents; direct: Agent }> | undefined;
  const loaded = () =>
    (undici ??= import("undici").then(({ Agent, ProxyAgent }) => ({
      module: { Agent, ProxyAgent },
      direct: new Agent({ connect: { ...options.tls } }),
    })));

  const proxyAgent = (module: UndiciAgents, uri: string): ProxyAgent => {
    let agent = agents.get(uri);
    if (!agent) {
      // requestTls: the TLS session to the origin, tunnelled through CONNECT;
      // proxyTls: to the proxy itself, when its URL is https://. The client certificate is for
      // the origin (RFC 8705): the proxy is not shown it.
      const { cert: _cert, key: _key, ...proxyTls } = options.tls;
      agent = new module.ProxyAgent({
        uri,
        requestTls: { ...options.tls },
        proxyTls,
      });
      agents.set(uri, agent);
    }
    return agent;
  };

  const proxyFor = (url: URL): string | undefined =>
    isLoopbackHost(url.hostname) || bypass(url)
      ? undefined
      : url.protocol === "https:"
        ? proxies.https
        : proxies.http;

  return {
    proxied: (url) => proxyFor(url) !== undefined,
    forUrl(url) {
      const uri = proxyFor(url);
      if (!uri && !ownDirectAgent) {
        const global = globalDispatcher();
        if (global) return global;
      }
      return loaded().then((loadedUndici) =>
        uri ? proxyAgent(loadedUndici.module, uri) : loadedUndici.direct,
      );
    },
    async close() {
      if (!undici) return;
      const { direct } = await undici;
      await Promise.all([direct.close(), ...[...agents.values()].map((agent) => agent.close())]);
    },
  };
}

/**
 * The dispatcher Node's global fetch uses when given none: its bundled undici's Agent (or one an
 * application installed with undici's `setGlobalDispatcher`), kept under this registered symbol
 * once any fetch class (`Request`, `Response`) exists, as one does by the time passgrant
 * dispatches. Being the dispatcher `fetch` would use anyway, it is always accepted, and wrapping
 * it keeps the deadline and body-limit watch of deadline.ts. Undefined only if that internal
 * changes, in which case passgrant's own agent is used.
 */
function globalDispatcher(): Dispatcher | undefined {
  const value = (globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")];
  return typeof (value as Dispatcher | undefined)?.dispatch === "function"
    ? (value as Dispatcher)
    : undefined;
}

/** The two undici classes passgrant builds its dispatchers from. */
interface UndiciAgents {
  Agent: typeof Agent;
  ProxyAgent: typeof ProxyAgent;
}

interface ProxyUrls {
  https?: string;
  http?: string;
  noProxy?: string;
}

function resolveProxies(setting: ProxySetting, env: NodeJS.ProcessEnv): ProxyUrls {
  if (setting === "none") return {};
  if (setting !== "env") {
    const uri = checkProxyUrl(setting, "proxy");
    return { https: uri, http: uri, ...noProxyFrom(env) };
  }
  // Lower case first, as curl does: `http_proxy` is the one CGI environments cannot spoof.
  const http = env.http_proxy || env.HTTP_PROXY || undefined;
  const https = env.https_proxy || env.HTTPS_PROXY || http;
  return {
    ...(https ? { https: checkProxyUrl(https, "HTTPS_PROXY") } : {}),
    ...(http ? { http: checkProxyUrl(http, "HTTP_PROXY") } : {}),
    ...noProxyFrom(env),
  };
}

function noProxyFrom(env: NodeJS.ProcessEnv): Pick<ProxyUrls, "noProxy"> {
  const value = env.no_proxy || env.NO_PROXY;
  return value ? { noProxy: value } : {};
}

function checkProxyUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // reported below
  }
  throw new ConfigError(
    `${name} must be an http:// or https:// proxy URL such as http://proxy.example.com:3128, ` +
      `got ${JSON.stringify(redactUrl(value))}.`,
  );
}
