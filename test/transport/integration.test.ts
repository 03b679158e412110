import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bearerAuth } from "../../src/auth/bearer-middleware.js";
import { basicAuthorization } from "../../src/auth/client-auth.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { createMsxClient } from "../../src/client/msx.js";
import { NetworkError } from "../../src/transport/errors.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { json, type LocalServer, startServer } from "./local-server.js";

// A real server on 127.0.0.1, no nock: the whole stack over real sockets.
const CLIENT_ID = "integration-client";
const CLIENT_SECRET = "integration-secret";
const PASSWORD = "integration-password";

let server: LocalServer;
let issued = 0;
let rejectNextApiCall = false;

beforeAll(async () => {
  server = await startServer((request, body, response) => {
    if (request.url === "/idm/v2/token") {
      issued += 1;
      json(response, 200, {
        access_token: `real-token-${issued}`,
        token_type: "bearer",
        expires_in: 9000,
        refresh_token: `real-refresh-${issued}`,
        tenantId: "t-1",
      });
      return;
    }
    if (request.url?.startsWith("/idm/api/v8/tenants") && request.method === "POST") {
      if (rejectNextApiCall) {
        rejectNextApiCall = false;
        json(response, 401, { code: "UNAUTHORIZED", message: "expired" });
        return;
      }
      const auth = request.headers.authorization;
      if (auth !== `Bearer real-token-${issued}`) {
        json(response, 401, { code: "UNAUTHORIZED", message: "unknown token" });
        return;
      }
      json(response, 201, { id: "07430f51-65f7-46f0-8306-0cce8cae147c", ...JSON.parse(body) });
      return;
    }
    if (request.url === "/slow") {
      setTimeout(() => json(response, 200, {}), 2_000).unref();
      return;
    }
    json(response, 404, { code: "NOT_FOUND", message: "no route" });
  });
});
afterAll(() => server.close());

let transport: Transport;
afterEach(() => transport?.close());

describe("against a real HTTP server on 127.0.0.1", () => {
  it("obtains a token, calls the API with it, and replays once after a 401", async () => {
    transport = createTransport({ timeoutMs: 5_000 });
    const provider = createTokenProvider({
      tokenUrl: `${server.url}/idm/v2/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clientAuth: "basic-raw",
      grant: { type: "password", username: "superuser", password: PASSWORD },
      fetch: transport.fetch,
    });
    const client = createMsxClient({
      baseUrl: server.url,
      fetch: transport.fetch,
      middleware: [bearerAuth(provider)],
    });
    const before = server.seen.length;
    const created = await client.POST("/idm/api/v8/tenants", { body: { name: "Real Tenant" } });
    expect(created.response.status).toBe(201);
    expect(created.data?.name).toBe("Real Tenant");

    const [tokenRequest] = server.seen.slice(before);
    expect(tokenRequest?.method).toBe("POST");
    expect(tokenRequest?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(tokenRequest?.headers.authorization).toBe(
      basicAuthorization(CLIENT_ID, CLIENT_SECRET, "basic-raw"),
    );
    expect(tokenRequest?.body).toBe(`grant_type=password&username=superuser&password=${PASSWORD}`);

    rejectNextApiCall = true;
    const replayed = await client.POST("/idm/api/v8/tenants", { body: { name: "Replayed" } });
    expect(replayed.response.status).toBe(201);
    const last = server.seen.slice(-3);
    expect(last.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /idm/api/v8/tenants",
      "POST /idm/v2/token",
      "POST /idm/api/v8/tenants",
    ]);
    expect(last[1]?.body).toMatch(/^grant_type=refresh_token&refresh_token=real-refresh-\d+$/);
    expect(last[2]?.body).toBe(JSON.stringify({ name: "Replayed" }));
  });

  it("maps a refused connection to NetworkError with ECONNREFUSED", async () => {
    const port = await closedPort();
    transport = createTransport();
    const error = await transport
      .fetch(new Request(`http://127.0.0.1:${port}/idm/v2/token`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).causeCode).toBe("ECONNREFUSED");
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it("times out a server that does not answer", async () => {
    transport = createTransport({ timeoutMs: 100 });
    const error = await transport.fetch(new Request(`${server.url}/slow`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
