import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { createSession, type Session } from "../../src/session/create-session.js";
import { InvalidRequestError } from "../../src/session/errors.js";
import type { operations, paths } from "../fixtures/generated/orders-api.js";

// Calls the spec forbids are refused before anything leaves the process: nock blocks the
// network, and every request that reached it (matched or not) is recorded.
const API = "https://orders.example.test";
const SPEC = new URL("../fixtures/orders-api.yaml", import.meta.url);
const STORE = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

const reached: string[] = [];
const record = (request: { method: string; path: string }) =>
  reached.push(`${request.method} ${request.path}`);

beforeAll(() => {
  nock.disableNetConnect();
  nock.emitter.on("no match", record);
});
afterAll(() => {
  nock.emitter.off("no match", record);
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  reached.length = 0;
});

async function ordersSession(): Promise<Session<paths, operations>> {
  return createSession<paths, operations>({
    baseUrl: API,
    tokenUrl: `${API}/oauth/token`,
    clientId: "orders-client",
    clientSecret: "orders-secret",
    username: "clerk",
    password: "clerk-password",
    spec: SPEC,
    environment: false,
  });
}

/** Interceptors for a token and any API call; none of them may be used. */
function armedPlatform() {
  const scope = nock(API)
    .post("/oauth/token")
    .optionally()
    .reply(200, { access_token: "t", token_type: "Bearer", expires_in: 60 })
    .get(/.*/)
    .optionally()
    .reply(200, [])
    .post(/.*/)
    .optionally()
    .reply(201, {});
  scope.on("request", (request: { method: string; path: string }) => record(request));
  return scope;
}

describe("calls are checked against the spec before sending", () => {
  const refused: Array<[string, (s: Session<paths, operations>) => Promise<unknown>, string]> = [
    [
      "a path parameter that is not a uuid",
      (s) =>
        s.call("listOrders", { path: { storeId: "not-a-uuid" }, header: { "X-Tenant-Id": "t1" } }),
      'path parameter storeId must match format "uuid"',
    ],
    [
      "a header longer than its maxLength",
      (s) =>
        s.call("listOrders", {
          path: { storeId: STORE },
          header: { "X-Tenant-Id": "x".repeat(37) },
        }),
      "must NOT have more than 36 characters",
    ],
    [
      "a missing required header",
      (s) =>
        s.call("listOrders", {
          path: { storeId: STORE },
          header: {} as { "X-Tenant-Id": string },
        }),
      "x-tenant-id",
    ],
    [
      "an array query value outside its enum",
      (s) =>
        s.call("listOrders", {
          path: { storeId: STORE },
          query: { status: ["open", "lost" as "open"] },
          header: { "X-Tenant-Id": "t1" },
        }),
      "must be one of: open, shipped, cancelled",
    ],
    [
      "a body missing a required field",
      (s) =>
        s.call("createOrder", {
          path: { storeId: STORE },
          body: { item: "tea" } as { item: string; quantity: number },
        }),
      "request body field quantity is required",
    ],
    [
      "a body field over maxLength",
      (s) =>
        s.call("createOrder", {
          path: { storeId: STORE },
          body: { item: "t".repeat(21), quantity: 1 },
        }),
      "request body field item must NOT have more than 20 characters",
    ],
    [
      "a body field outside its enum",
      (s) =>
        s.call("createOrder", {
          path: { storeId: STORE },
          body: { item: "tea", quantity: 1, priority: "urgent" as "low" },
        }),
      "request body field priority must be one of: low, normal, high",
    ],
  ];

  for (const [what, send, problem] of refused) {
    it(`refuses ${what}, naming the operation, the field and the constraint`, async () => {
      const scope = armedPlatform();
      const session = await ordersSession();
      try {
        const failure = await send(session).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(InvalidRequestError);
        const error = failure as InvalidRequestError;
        expect(error.code).toBe("ERR_INVALID_REQUEST");
        expect(error.operationId).toMatch(/^(listOrders|createOrder)$/);
        expect(error.message).toContain(error.operationId);
        expect(error.problems.join("\n").toLowerCase()).toContain(problem.toLowerCase());
        expect(reached).toEqual([]);
        expect(scope.activeMocks()).toHaveLength(3); // no interceptor was used
      } finally {
        await session.close();
      }
    });
  }

  it("sends a call the spec allows: exploded array query, header, path and JSON body", async () => {
    const scope = nock(API)
      .post("/oauth/token")
      .reply(200, { access_token: "t", token_type: "Bearer", expires_in: 60 })
      .get(`/stores/${STORE}/orders`)
      .query((query) => JSON.stringify(query.status) === JSON.stringify(["open", "shipped"]))
      .matchHeader("x-tenant-id", "t1")
      .reply(200, [{ id: "o1", status: "open", item: "tea", quantity: 2 }])
      .post(`/stores/${STORE}/orders`, { item: "tea", quantity: 2, priority: "high" })
      .reply(201, { id: "o2", status: "open", item: "tea", quantity: 2, priority: "high" });
    const session = await ordersSession();
    try {
      const orders = await session.call("listOrders", {
        path: { storeId: STORE },
        query: { status: ["open", "shipped"] },
        header: { "X-Tenant-Id": "t1" },
      });
      expect(orders.map((order) => order.id)).toEqual(["o1"]);
      const created = await session.call("createOrder", {
        path: { storeId: STORE },
        body: { item: "tea", quantity: 2, priority: "high" },
      });
      expect(created.id).toBe("o2");
      expect(scope.isDone()).toBe(true);
    } finally {
      await session.close();
    }
  });

  it("sends without checking when validate is false", async () => {
    const scope = nock(API)
      .post("/oauth/token")
      .reply(200, { access_token: "t", token_type: "Bearer", expires_in: 60 })
      .post(`/stores/${STORE}/orders`)
      .reply(400, { code: "BAD", message: "item too long" });
    const session = await createSession<paths, operations>({
      baseUrl: API,
      tokenUrl: `${API}/oauth/token`,
      clientId: "c",
      clientSecret: "s",
      username: "u",
      password: "p",
      spec: SPEC,
      validate: false,
      environment: false,
    });
    try {
      const failure = await session
        .call("createOrder", {
          path: { storeId: STORE },
          body: { item: "t".repeat(21), quantity: 1 },
        })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({
        method: "POST",
        status: 400,
        platformError: { code: "BAD", message: "item too long" },
      });
      expect(scope.isDone()).toBe(true);
    } finally {
      await session.close();
    }
  });
});

describe("a document the checks cannot be compiled from", () => {
  it("is a ConfigError naming the operation, nothing sent", async () => {
    // Quick mode compiles an operation's checks on its first call: a parameter `$ref` that
    // resolves to nothing used to surface as openapi-backend's TypeError.
    const spec = {
      openapi: "3.0.3",
      info: { title: "loop", version: "1" },
      paths: {
        "/a": {
          get: {
            operationId: "getA",
            security: [],
            parameters: [{ $ref: "#/components/parameters/P" }],
            responses: { "200": { description: "ok" } },
          },
        },
      },
      components: { parameters: { P: { $ref: "#/components/parameters/P" } } },
    };
    armedPlatform();
    const session = await createSession({
      baseUrl: API,
      spec: spec as never,
      anonymous: true,
      environment: false,
    });
    const refused = await session
      .send("getA" as never, {} as never)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(String(refused)).toMatch(/cannot check the arguments of getA .*fix that operation/);
    expect(reached).toEqual([]);
    await session.close();
  });
});
