/**
 * Token requests against real servers on 127.0.0.1: what must not happen to the credentials in
 * them (followed redirects, userinfo in URLs), and a body that stalls after the headers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { ConfigError } from "../../src/errors.js";
import { HttpError } from "../../src/transport/errors.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { type LocalServer, startServer } from "../transport/local-server.js";
import { everyRendering } from "./helpers.js";

const CLIENT_SECRET = "canary-client-secret-7f3a";
const PASSWORD = "canary-password-91bd";

const servers: LocalServer[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0), ...transports.splice(0)].map((s) => s.close()));
});

function provider(tokenUrl: string, transport?: Transport) {
  return createTokenProvider({
    tokenUrl,
    clientId: "canary-client",
    clientSecret: CLIENT_SECRET,
    grant: { type: "password", username: "superuser", password: PASSWORD },
    ...(transport ? { fetch: transport.fetch } : {}),
  });
}

describe("token requests keep their credentials where they were sent", () => {
  it("does not follow a redirect: the password is never re-sent to the Location", async () => {
    const elsewhere = await startServer((_request, _body, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ access_token: "stolen", token_type: "bearer" }));
    });
    const tokenServer = await startServer((_request, _body, response) => {
      response.writeHead(307, { Location: `${elsewhere.url}/collect` });
      response.end();
    });
    servers.push(elsewhere, tokenServer);

    const error = await provider(`${tokenServer.url}/idm/v2/token`)
      .getToken()
      .catch((e: unknown) => e);

    expect(elsewhere.seen).toHaveLength(0);
    expect(tokenServer.seen).toHaveLength(1);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 307 });
    expect((error as Error).message).toContain(`${elsewhere.url}/collect`);
    expect((error as Error).message).toMatch(/tokenUrl/);
  });

  it("refuses a tokenUrl with userinfo as a ConfigError that does not repeat it", async () => {
    let error: unknown;
    try {
      provider("https://admin:userinfo-canary-5e1@127.0.0.1:9/idm/v2/token");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/must not contain a user name or password/);
    expect(await everyRendering(error)).not.toContain("userinfo-canary-5e1");
  });
});

describe("a token response whose body stalls", () => {
  it("fails with the transport's TimeoutError, not as an unusable response", async () => {
    const server = await startServer((_request, _body, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.write('{"access_token":"');
      // ...and nothing more until the server closes.
    });
    servers.push(server);
    const transport = createTransport({ timeoutMs: 200 });
    transports.push(transport);

    const error = await provider(`${server.url}/idm/v2/token`, transport)
      .getToken()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "ERR_TIMEOUT", timeoutMs: 200 });
  });
});
