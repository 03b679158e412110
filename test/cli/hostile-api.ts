import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What an API handler knows about the request it answers. */
export interface ApiRequest {
  method: string;
  /** Path and query, as sent. */
  url: URL;
  /** The Authorization header as received (`Bearer <token>`). */
  authorization: string;
  /** The last refresh token the token endpoint issued. */
  refreshToken: string;
  body: string;
  /** Every request header, as Node parsed them (lower-case names). */
  headers: Record<string, string>;
}

export type ApiHandler = (request: ApiRequest, response: ServerResponse) => void;

/**
 * A hostile platform on 127.0.0.1: a token endpoint that issues random opaque tokens (hex, no
 * JWT shape, so only redaction by known value can catch them) and an API answered by `handler`.
 */
export interface HostileApi {
  url: string;
  /** Every access and refresh token issued so far. */
  readonly issued: string[];
  /** API requests answered so far (the token endpoint not counted). */
  readonly apiRequests: number;
  handler: ApiHandler;
  close(): Promise<void>;
}

export const hostileCredentials = {
  clientId: "hostile-client",
  clientSecret: `hostile-secret-${randomUUID()}`,
  username: "hostile-user",
  password: `hostile-password-${randomUUID()}`,
};

/** The Basic value the CLI sends (raw and form-encoded credentials are the same here). */
export const hostileBasic = Buffer.from(
  `${hostileCredentials.clientId}:${hostileCredentials.clientSecret}`,
).toString("base64");

export async function startHostileApi(handler: ApiHandler): Promise<HostileApi> {
  const issued: string[] = [];
  let refreshToken = "";
  let apiRequests = 0;
  const api: HostileApi = {
    url: "",
    issued,
    get apiRequests() {
      return apiRequests;
    },
    handler,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/idm/v2/token") {
        const accessToken = randomBytes(24).toString("hex");
        refreshToken = randomBytes(24).toString("hex");
        issued.push(accessToken, refreshToken);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            access_token: accessToken,
            token_type: "bearer",
            expires_in: 3600,
            refresh_token: refreshToken,
          }),
        );
        return;
      }
      apiRequests += 1;
      api.handler(
        {
          method: request.method ?? "GET",
          url,
          authorization: request.headers.authorization ?? "",
          refreshToken,
          body: Buffer.concat(chunks).toString("utf8"),
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
          ),
        },
        response,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

/** The CLI's MSX_* variables for `api`. */
export function hostileEnv(api: HostileApi): Record<string, string> {
  return {
    MSX_BASE_URL: api.url,
    MSX_CLIENT_ID: hostileCredentials.clientId,
    MSX_CLIENT_SECRET: hostileCredentials.clientSecret,
    MSX_USERNAME: hostileCredentials.username,
    MSX_PASSWORD: hostileCredentials.password,
  };
}

/** Answers `status` with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** A spec-valid tenant (only `id` and `name` are required). */
export function tenant(id: string, name: string): Record<string, unknown> {
  return { id, name };
}
