import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearerAuth } from "../../src/auth/bearer-middleware.js";
import { createMsxClient } from "../../src/client/msx.js";
import { NetworkError } from "../../src/transport/errors.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import {
  mockTokenEndpoint,
  ORIGIN,
  passwordProvider,
  setUpNock,
  tearDownNock,
  tokenBody,
} from "./helpers.js";

const TENANTS = "/idm/api/v8/tenants";
const tenant = { id: "07430f51-65f7-46f0-8306-0cce8cae147c", name: "Dandelion and Burdock" };

interface ApiCall {
  authorization: string | undefined;
  body: string;
}

/** Intercepts `times` calls to `method path`, recording them, answering `statuses[i]`. */
function mockApi(method: "get" | "post", statuses: number[], path = TENANTS): ApiCall[] {
  const calls: ApiCall[] = [];
  const interceptor =
    method === "get" ? nock(ORIGIN).get(path).query(true) : nock(ORIGIN).post(path);
  interceptor.times(statuses.length).reply(function (_uri, body) {
    calls.push({
      authorization: this.req.headers.authorization,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const status = statuses[calls.length - 1] ?? 500;
    if (status === 401) return [401, { code: "UNAUTHORIZED", message: "Token expired" }];
    if (status >= 400) return [status, { code: "ERROR", message: "failed" }];
    return [
      status,
      method === "post"
        ? tenant
        : {
            page: 0,
            pageSize: 100,
            totalItems: 0,
            hasNext: false,
            hasPrevious: false,
            contents: [],
          },
    ];
  });
  return calls;
}

let transport: Transport;

function setUp() {
  transport = createTransport();
  const { provider, events } = passwordProvider({ fetch: transport.fetch });
  const client = createMsxClient({
    baseUrl: ORIGIN,
    fetch: transport.fetch,
    middleware: [bearerAuth(provider)],
  });
  return { provider, events, client };
}

beforeEach(setUpNock);
afterEach(async () => {
  await transport?.close();
  tearDownNock();
});

describe("bearerAuth", () => {
  it("sends Authorization: Bearer and makes one grant for many calls", async () => {
    const tokens = mockTokenEndpoint();
    const calls = mockApi("get", [200, 200, 200]);
    const { client } = setUp();
    for (let i = 0; i < 3; i++) {
      const { data, error } = await client.GET(TENANTS, {
        params: { query: { page: 0, pageSize: 100 } },
      });
      expect(error).toBeUndefined();
      expect(data?.contents).toEqual([]);
    }
    expect(tokens).toHaveLength(1);
    expect(calls.map((c) => c.authorization)).toEqual(Array(3).fill("Bearer access-token-1"));
  });

  it("on a 401 renews the token once and replays the request once, body included", async () => {
    const tokens = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const calls = mockApi("post", [401, 201]);
    const { client } = setUp();
    const body = { name: "Dandelion and Burdock", description: "replayed with its body" };
    const { data, error, response } = await client.POST(TENANTS, { body });
    expect(error).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data).toEqual(tenant);
    expect(calls).toEqual([
      { authorization: "Bearer access-token-1", body: JSON.stringify(body) },
      { authorization: "Bearer access-token-2", body: JSON.stringify(body) },
    ]);
    expect(tokens.map((t) => t.form.get("grant_type"))).toEqual(["password", "refresh_token"]);
  });

  it("replays a request without a body as it was sent: query, headers and all", async () => {
    const tokens = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const seen: Array<{
      path: string;
      authorization?: string | undefined;
      trace?: string | undefined;
    }> = [];
    nock(ORIGIN)
      .get(TENANTS)
      .query(true)
      .times(2)
      .reply(function (path) {
        seen.push({
          path,
          authorization: this.req.headers.authorization,
          trace: this.req.headers["x-trace"],
        });
        return seen.length === 1
          ? [401, { code: "UNAUTHORIZED", message: "Token expired" }]
          : [
              200,
              {
                page: 1,
                pageSize: 5,
                totalItems: 0,
                hasNext: false,
                hasPrevious: true,
                contents: [],
              },
            ];
      });
    const { client } = setUp();
    const { data, response } = await client.GET(TENANTS, {
      params: { query: { page: 1, pageSize: 5 } },
      headers: { "X-Trace": "abc" },
    });
    expect(response.status).toBe(200);
    expect(data?.page).toBe(1);
    const path = `${TENANTS}?page=1&pageSize=5`;
    expect(seen).toEqual([
      { path, authorization: "Bearer access-token-1", trace: "abc" },
      { path, authorization: "Bearer access-token-2", trace: "abc" },
    ]);
    expect(tokens).toHaveLength(2);
  });

  it("leaves a 401 alone when the request went out without its bearer token", async () => {
    const tokens = mockTokenEndpoint();
    const calls = mockApi("get", [401]);
    const { provider } = setUp();
    const client = createMsxClient({
      baseUrl: ORIGIN,
      fetch: transport.fetch,
      middleware: [
        bearerAuth(provider),
        {
          // A later middleware that swaps the credentials for its own.
          onRequest({ request }) {
            request.headers.set("Authorization", "Basic b3RoZXI=");
            return request;
          },
        },
      ],
    });
    const { response } = await client.GET(TENANTS, { params: { query: { page: 0, pageSize: 1 } } });
    expect(response.status).toBe(401);
    expect(calls).toEqual([{ authorization: "Basic b3RoZXI=", body: "" }]);
    expect(tokens).toHaveLength(1);
  });

  it("surfaces a second 401 to the caller without a third attempt", async () => {
    const tokens = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 2);
    const calls = mockApi("post", [401, 401]);
    const { client } = setUp();
    const { data, error, response } = await client.POST(TENANTS, { body: { name: "x" } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error).toEqual({ code: "UNAUTHORIZED", message: "Token expired" });
    expect(calls).toHaveLength(2);
    expect(tokens).toHaveLength(2);
  });

  it("renews once when many requests fail with the same stale token", async () => {
    const tokens = mockTokenEndpoint((_s, i) => [200, tokenBody(i + 1)], 3);
    const { client, provider } = setUp();
    await provider.getToken();
    const calls = mockApi("get", [401, 401, 401, 401, 401, 200, 200, 200, 200, 200]);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.GET(TENANTS, { params: { query: { page: 0, pageSize: 10 } } }),
      ),
    );
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(tokens).toHaveLength(2);
    expect(calls.slice(5).map((c) => c.authorization)).toEqual(
      Array(5).fill("Bearer access-token-2"),
    );
    nock.cleanAll(); // the third token interceptor proves no third grant
  });

  it("never retries a non-idempotent request for any other status", async () => {
    mockTokenEndpoint();
    const calls = mockApi("post", [500]);
    const { client } = setUp();
    const { response } = await client.POST(TENANTS, { body: { name: "x" } });
    expect(response.status).toBe(500);
    expect(calls).toHaveLength(1);
  });

  it("never retries a request that failed on the network", async () => {
    mockTokenEndpoint();
    nock(ORIGIN).post(TENANTS).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    const { client } = setUp();
    const error = await client.POST(TENANTS, { body: { name: "x" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).causeCode).toBe("ECONNRESET");
    expect(nock.pendingMocks()).toEqual([]);
  });
});
