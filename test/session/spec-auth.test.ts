import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSession } from "../../src/session/create-session.js";
import { authFromSpec } from "../../src/session/spec-auth.js";
import type { UntypedOperations } from "../../src/session/types.js";
import type { SpecDocument } from "../../src/spec/document.js";
import { resolveRef } from "../../src/spec/resolve-ref.js";
import type { operations, paths } from "../fixtures/generated/orders-api.js";

// Auth from the spec (test/fixtures/orders-api.yaml): its oauth2 password flow's relative
// tokenUrl and the scopes its requirements ask for are the defaults; `security: []` operations
// go without a token; explicit settings win. A real loopback server records what it gets.
const SPEC = new URL("../fixtures/orders-api.yaml", import.meta.url);
const STORE = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

interface Seen {
  path: string;
  authorization: string | undefined;
  body: string;
}
let server: Server;
let origin: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const path = request.url ?? "/";
      seen.push({ path, authorization: request.headers.authorization, body });
      response.setHeader("content-type", "application/json");
      if (path.endsWith("/token")) {
        response.end(
          JSON.stringify({ access_token: "spec-token", token_type: "Bearer", expires_in: 600 }),
        );
      } else if (path === "/api/health") {
        response.end(JSON.stringify({ status: "ok" }));
      } else {
        response.end("[]");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const credentials = {
  clientId: "orders-client",
  clientSecret: "s",
  username: "clerk",
  password: "p",
};

describe("auth from the spec", () => {
  it("takes the password flow's tokenUrl (relative, resolved against the server URL) and the requirements' scopes", async () => {
    const session = await createSession<paths, operations>({
      baseUrl: `${origin}/api`,
      ...credentials,
      spec: SPEC,
      environment: false,
    });
    try {
      await session.call("listOrders", {
        path: { storeId: STORE },
        header: { "X-Tenant-Id": "t" },
      });
      const token = seen.find((request) => request.path.endsWith("/token"));
      expect(token?.path).toBe("/oauth/token");
      const form = new URLSearchParams(token?.body);
      expect(form.get("grant_type")).toBe("password");
      expect(form.get("scope")).toBe("orders:read orders:write");
      expect(seen.at(-1)).toMatchObject({
        path: `/api/stores/${STORE}/orders`,
        authorization: "Bearer spec-token",
      });
    } finally {
      await session.close();
    }
  });

  it("calls a security: [] operation without a token, and without fetching one", async () => {
    const session = await createSession<paths, operations>({
      baseUrl: `${origin}/api`,
      ...credentials,
      spec: SPEC,
      environment: false,
    });
    try {
      expect(await session.call("getHealth")).toEqual({ status: "ok" });
      expect(seen).toEqual([{ path: "/api/health", authorization: undefined, body: "" }]);
    } finally {
      await session.close();
    }
  });

  it("an anonymous session needs no credentials, and refuses an operation that needs a token", async () => {
    const session = await createSession<paths, operations>({
      baseUrl: `${origin}/api`,
      spec: SPEC,
      environment: false,
      anonymous: true,
    });
    try {
      expect(await session.call("getHealth")).toEqual({ status: "ok" });
      await expect(
        session.call("listOrders", { path: { storeId: STORE }, header: { "X-Tenant-Id": "t" } }),
      ).rejects.toMatchObject({
        code: "ERR_CONFIG",
        message: expect.stringContaining("listOrders needs credentials"),
      });
      expect(seen).toEqual([{ path: "/api/health", authorization: undefined, body: "" }]);
      expect(session.provider.knownSecrets()).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("lets explicit settings win: tokenUrl and scope options, or MSX_TOKEN_URL", async () => {
    for (const settings of [
      { tokenUrl: `${origin}/explicit/token`, scope: "orders:read" },
      {
        environment: {
          env: { MSX_TOKEN_URL: `${origin}/explicit/token`, MSX_SCOPE: "orders:read" },
        },
      },
    ]) {
      seen.length = 0;
      const session = await createSession<paths, operations>({
        baseUrl: `${origin}/api`,
        ...credentials,
        spec: SPEC,
        environment: false,
        ...settings,
      });
      try {
        await session.call("listOrders", {
          path: { storeId: STORE },
          header: { "X-Tenant-Id": "t" },
        });
        const token = seen.find((request) => request.path.endsWith("/token"));
        expect(token?.path).toBe("/explicit/token");
        expect(new URLSearchParams(token?.body).get("scope")).toBe("orders:read");
      } finally {
        await session.close();
      }
    }
  });
});

describe("authFromSpec", () => {
  const document = {
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    security: [{ machines: ["jobs:run"] }],
    paths: {
      "/jobs": { get: { operationId: "listJobs", responses: {} } },
      "/ping": { get: { operationId: "ping", security: [], responses: {} } },
    },
    components: {
      securitySchemes: {
        unused: {
          type: "oauth2",
          flows: { clientCredentials: { tokenUrl: "https://elsewhere.test/token", scopes: {} } },
        },
        machines: {
          type: "oauth2",
          flows: {
            clientCredentials: { tokenUrl: "oauth/token", scopes: { "jobs:run": "Run jobs" } },
          },
        },
      },
    },
  } as unknown as SpecDocument;
  const resolve = <T extends object>(value: unknown) => resolveRef<T>(document, value as T);

  it("prefers the referenced scheme, picks the grant's flow, resolves a relative URL under the server path", () => {
    expect(authFromSpec(document, "https://api.test/v2", "client_credentials", resolve)).toEqual({
      tokenUrl: "https://api.test/v2/oauth/token",
      scope: "jobs:run",
      anonymous: new Set(["ping"]),
    });
  });

  it("offers no flow defaults to a grant the spec has no flow for", () => {
    expect(authFromSpec(document, "https://api.test", "password", resolve)).toEqual({
      anonymous: new Set(["ping"]),
    });
  });
});

describe("an openIdConnect scheme", () => {
  // A loopback OpenID provider: its discovery document names the token endpoint, which is
  // deliberately not at the path the platform default would guess.
  let idp: Server;
  let issuer: string;
  const tokenRequests: string[] = [];
  beforeAll(async () => {
    idp = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/realm/.well-known/openid-configuration") {
        response.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/protocol/token` }));
        return;
      }
      if (request.url === "/realm/protocol/token") {
        tokenRequests.push(request.url);
        response.end(
          JSON.stringify({ access_token: "oidc-token", token_type: "Bearer", expires_in: 600 }),
        );
        return;
      }
      response.statusCode = 404;
      response.end("{}");
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realm`;
  });
  afterAll(async () => {
    await new Promise((resolve) => idp.close(resolve));
  });

  const oidcSpec = (): SpecDocument =>
    ({
      openapi: "3.0.3",
      info: { title: "OIDC-secured API", version: "1" },
      security: [{ oidc: [] }],
      components: {
        securitySchemes: {
          oidc: {
            type: "openIdConnect",
            openIdConnectUrl: `${issuer}/.well-known/openid-configuration`,
          },
        },
      },
      paths: {
        "/orders": {
          get: { operationId: "getOrders", responses: { "200": { description: "the orders" } } },
        },
      },
    }) as SpecDocument;

  it("is followed through discovery to its token endpoint", async () => {
    const session = await createSession<object, UntypedOperations>({
      baseUrl: `${origin}/api`,
      ...credentials,
      spec: oidcSpec(),
      environment: false,
    });
    try {
      await session.call("getOrders");
      expect(tokenRequests).toEqual(["/realm/protocol/token"]);
      const api = seen.find((request) => request.path === "/api/orders");
      expect(api?.authorization).toBe("Bearer oidc-token");
      expect(seen.some((request) => request.path.endsWith("/token"))).toBe(false);
    } finally {
      await session.close();
      tokenRequests.length = 0;
    }
  });

  it("gives way to an explicit tokenUrl", async () => {
    const session = await createSession<object, UntypedOperations>({
      baseUrl: `${origin}/api`,
      tokenUrl: `${origin}/explicit/token`,
      ...credentials,
      spec: oidcSpec(),
      environment: false,
    });
    try {
      await session.call("getOrders");
      expect(tokenRequests).toEqual([]);
      expect(seen.some((request) => request.path === "/explicit/token")).toBe(true);
    } finally {
      await session.close();
    }
  });
});
