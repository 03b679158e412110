import { afterEach, describe, expect, it } from "vitest";
import {
  bearerAuth,
  createMsxClient,
  createTokenProvider,
  createTransport,
  HttpError,
  httpErrorFromResponse,
} from "../../src/index.js";
import {
  type HostileApi,
  hostileBasic,
  hostileCredentials,
  startHostileApi,
} from "../cli/hostile-api.js";

let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function echoingApi(): Promise<HostileApi> {
  return startHostileApi((request, response) => {
    response.writeHead(401, { "content-type": "text/plain" });
    response.end(`Invalid access token: ${request.authorization.slice("Bearer ".length)}`);
  });
}

function providerFor(target: HostileApi) {
  return createTokenProvider({
    tokenUrl: `${target.url}/idm/v2/token`,
    clientId: hostileCredentials.clientId,
    clientSecret: hostileCredentials.clientSecret,
    clientAuth: "basic-raw",
    grant: {
      type: "password",
      username: hostileCredentials.username,
      password: hostileCredentials.password,
    },
  });
}

describe("known secrets of a session", () => {
  it("the provider knows its tokens (current and replaced), password, secret and Basic value", async () => {
    api = await echoingApi();
    const provider = providerFor(api);
    const first = await provider.getToken();
    provider.invalidate();
    const second = await provider.getToken();
    const known = provider.knownSecrets();
    for (const secret of [
      first.accessToken,
      first.refreshToken,
      second.accessToken,
      second.refreshToken,
      hostileCredentials.password,
      hostileCredentials.clientSecret,
      hostileBasic,
    ]) {
      expect(known).toContain(secret);
    }
  });

  it("errors passgrant builds for API calls mask a token the server echoes", async () => {
    api = await echoingApi();
    const provider = providerFor(api);
    const thrown: unknown[] = [];
    const client = createMsxClient({
      baseUrl: api.url,
      fetch: createTransport().fetch,
      middleware: [
        bearerAuth(provider),
        {
          // A caller's "throw on HTTP error" middleware, run before bearerAuth sees the answer.
          async onResponse({ request, response }) {
            if (!response.ok) {
              thrown.push(await httpErrorFromResponse(response.clone(), { request }));
            }
            return undefined;
          },
        },
      ],
    });
    const { response } = await client.GET("/idm/api/v8/tenants/{id}", {
      params: { path: { id: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03" } },
    });
    expect(response.status).toBe(401);
    // The replay after the 401 goes through the client's fetch, not through middleware again.
    expect(thrown).toHaveLength(1);
    for (const error of thrown) {
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).message).toContain("Invalid access token: [REDACTED]");
      for (const token of api.issued) expect((error as HttpError).message).not.toContain(token);
    }
  });
});
