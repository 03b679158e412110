import type { Agent, Dispatcher, ProxyAgent } from "undici";
import { ConfigError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { isLoopbackHost } from "./loopback.js";
import { parseNoProxy } from "./no-proxy.js";
import type { TlsConnectOptions } from "./tls-options.js";

/** `"env"` reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY; `"none"` connects directly; else a proxy URL. */
export type ProxySetting = "env" | "none" | string;

/** passgrant's own undici dispatchers: one direct agent, and proxy agents when configured. */
export interface DispatcherSet {
  /** The dispatcher for a request to `url` (the first call loads undici). */
  forUrl(url: URL): Promise<Dispatcher>;
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
  // undici (some 90 ms of module loading) is loaded by the first request, not by importing
  // passgrant: `passgrant token --cache` answering from its cache, or an application that only
  // imports the types, never pays for it.
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
      // proxyTls: to the proxy itself, when its URL is https://.
      agent = new module.ProxyAgent({
        uri,
        requestTls: { ...options.tls },
        proxyTls: { ...options.tls },
      });
      agents.set(uri, agent);
    }
    return agent;
  };

  return {
    async forUrl(url) {
      const { module, direct } = await loaded();
      if (isLoopbackHost(url.hostname) || bypass(url)) return direct;
      const uri = url.protocol === "https:" ? proxies.https : proxies.http;
      return uri ? proxyAgent(module, uri) : direct;
    },
    async close() {
      if (!undici) return;
      const { direct } = await undici;
      await Promise.all([direct.close(), ...[...agents.values()].map((agent) => agent.close())]);
    },
  };
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
