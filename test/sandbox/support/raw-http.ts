import { type IncomingHttpHeaders, request } from "node:http";

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent as is: no URL normalisation, so `%ff%fe` or `/../` reach the server untouched. */
  readonly path: string;
  /** A `host` here replaces the default one (`127.0.0.1:<port>`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * One HTTP/1.1 request with exactly the given target and headers, as a browser, curl or an
 * attacker could send it (fetch would normalise the path and forbid a custom Host or Origin).
 */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: hostname.replace(/^\[|\]$/g, ""),
        port: Number(port),
        method: options.method ?? "GET",
        path: options.path,
        headers: { ...options.headers },
        agent: false,
        timeout: 10_000,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("raw request timed out")));
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}
