import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface Forwarder {
  url: string;
  close(): Promise<void>;
}

export interface ForwarderOptions {
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Called when a request arrives, before it is forwarded. */
  onRequest?: () => void;
  /** Called with each response body the target sent, by request path. */
  onResponse?: (path: string, status: number, body: string) => void;
  /**
   * Forward the request but never answer it: the target acted on it, the client never learns.
   * Called after `onResponse`.
   */
  withholdResponse?: (method: string, path: string) => boolean;
}

/**
 * A small HTTP(S) server that forwards every request to `target` (a sandbox): to put TLS in
 * front of it, to observe what the CLI receives, or to lose an answer on the way back.
 */
export async function startForwarder(
  target: string,
  options: ForwarderOptions = {},
): Promise<Forwarder> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    options.onRequest?.();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method ?? "GET",
      headers: Object.entries(request.headers).flatMap(([name, value]) =>
        value === undefined || name === "host" || name === "connection"
          ? []
          : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
      ),
      ...(body.length > 0 ? { body } : {}),
    });
    const text = await upstream.text();
    options.onResponse?.(request.url ?? "/", upstream.status, text);
    if (options.withholdResponse?.(request.method ?? "GET", request.url ?? "/")) return;
    const headers = Object.fromEntries(upstream.headers);
    delete headers["content-length"];
    delete headers["content-encoding"];
    delete headers["transfer-encoding"];
    response.writeHead(upstream.status, headers);
    response.end(text);
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const scheme = options.tls ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
