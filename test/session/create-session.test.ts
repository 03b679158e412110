import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  operations as PetOperations,
  paths as PetPaths,
} from "../../examples/other-platform/generated/petstore.js";
import { startPetstoreServer } from "../../examples/other-platform/server.js";
import { ConfigError } from "../../src/errors.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { createSession, type Session } from "../../src/session/create-session.js";
import { InvalidRequestError, UnknownOperationError } from "../../src/session/errors.js";
import { HttpError } from "../../src/transport/errors.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const sandboxOptions = () => ({
  baseUrl: sandbox.url,
  clientId: sandbox.clientId,
  clientSecret: sandbox.clientSecret,
  username: sandbox.username,
  password: sandbox.password,
  environment: false as const,
});

describe("createSession", () => {
  it("calls the MSX spec's operations by operationId, typed, and closes", async () => {
    const session = await createSession(sandboxOptions());
    try {
      const page = await session.call("getTenantsPage", { query: { page: 0, pageSize: 100 } });
      expect(page.contents?.map((tenant) => tenant.name)).toContain("Coke");
      const created = await session.call("createTenant", { body: { name: "Session Cola" } });
      const fetched = await session.call("getTenant", { path: { id: created.id } });
      expect(fetched.name).toBe("Session Cola");
      await session.call("deleteTenant", { path: { id: created.id } });
      // Path-style calls stay available on the same session.
      const { data } = await session.client.GET("/idm/api/v8/tenants", {
        params: { query: { page: 0, pageSize: 1000 } },
      });
      expect(data?.contents?.some((tenant) => tenant.id === created.id)).toBe(false);
    } finally {
      await session.close();
    }
  });

  it("reads the CLI's MSX_* variables and .env, options winning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "passgrant-session-"));
    writeFileSync(
      join(dir, ".env"),
      `MSX_BASE_URL=${sandbox.url}\nMSX_CLIENT_ID=${sandbox.clientId}\nMSX_CLIENT_SECRET=${sandbox.clientSecret}\nMSX_USERNAME=nobody\nMSX_PASSWORD=${sandbox.password}\n`,
    );
    const session = await createSession({
      username: sandbox.username,
      environment: { cwd: dir, env: {} },
    });
    try {
      const page = await session.call("getTenantsPage", { query: { page: 0, pageSize: 10 } });
      expect(page.contents?.length).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });

  it("lists every configuration problem at once", async () => {
    const failure = await createSession({
      baseUrl: "ftp://nowhere",
      environment: { env: {}, cwd: tmpdir() },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    const problems = (failure as ConfigError).problems.join("\n");
    for (const name of ["MSX_BASE_URL", "MSX_CLIENT_ID", "MSX_USERNAME", "MSX_PASSWORD"]) {
      expect(problems).toContain(name);
    }
  });

  it("refuses an unknown operationId with a did-you-mean, and a missing path parameter, before sending", async () => {
    let requests = 0;
    const session = await createSession({
      ...sandboxOptions(),
      onResponse: () => {
        requests += 1;
      },
    });
    try {
      const unknown = await (session.call as (id: string, init?: object) => Promise<unknown>)(
        "getTenantPage",
      ).catch((error: unknown) => error);
      expect(unknown).toBeInstanceOf(UnknownOperationError);
      expect(unknown).toMatchObject({
        code: "ERR_UNKNOWN_OPERATION",
        suggestion: "getTenantsPage",
      });
      const missing = await session
        .call("getTenant", { path: {} as { id: string } })
        .catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(InvalidRequestError);
      expect((missing as InvalidRequestError).problems).toEqual(["path parameter id is required"]);
      // The bundled spec's own schema: a page size past its maximum never reaches the server.
      const tooBig = await session
        .call("getTenantsPage", { query: { page: 0, pageSize: 100_000 } })
        .catch((error: unknown) => error);
      expect(tooBig).toBeInstanceOf(InvalidRequestError);
      expect((tooBig as InvalidRequestError).problems).toEqual([
        "query parameter pageSize must be <= 1000",
      ]);
      expect(requests).toBe(0);
    } finally {
      await session.close();
    }
  });
});

describe("session.call errors", () => {
  let server: Server;
  let url: string;
  const password = "hunter2-pass";
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        if (request.url === "/idm/v2/token") {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(
            JSON.stringify({ access_token: "tok-abc", token_type: "bearer", expires_in: 3600 }),
          );
          return;
        }
        response.writeHead(409, {
          "content-type": "application/json",
          "x-request-id": "req-42",
          "set-cookie": "session=private",
        });
        response.end(
          JSON.stringify({
            code: "IDM0409",
            message: `tenant exists; your password ${password} and token tok-abc were fine`,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("throws an HttpError with the real method, status, request id, headers and the platform's body, redacted", async () => {
    const session = await createSession({
      baseUrl: url,
      clientId: "c",
      clientSecret: "s",
      username: "u",
      password,
      environment: false,
    });
    try {
      const failure = await session
        .call("createTenant", { body: { name: "Coke" } })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HttpError);
      const error = failure as HttpError;
      expect(error).toMatchObject({
        method: "POST",
        status: 409,
        url: `${url}/idm/api/v8/tenants`,
        requestId: "req-42",
        platformError: { code: "IDM0409" },
      });
      expect(error.platformError?.message).toContain("tenant exists");
      expect(error.platformError?.message).not.toContain(password);
      expect(error.platformError?.message).not.toContain("tok-abc");
      expect(error.message).not.toContain(password);
      expect(error.headers?.get("x-request-id")).toBe("req-42");
      // Non-enumerable: a logged or serialised error does not carry the headers.
      expect(Object.keys(error)).not.toContain("headers");
      expect(JSON.stringify(error)).not.toContain("private");
    } finally {
      await session.close();
    }
  });
});

describe("a spec passgrant did not shape: Petstore", () => {
  it("calls its operations from the spec file, typed by its generated types", async () => {
    const petstore = await startPetstoreServer();
    const session = await createSession<PetPaths, PetOperations>({
      baseUrl: petstore.url,
      tokenUrl: petstore.tokenUrl,
      clientId: petstore.clientId,
      clientSecret: petstore.clientSecret,
      grant: { type: "client_credentials" },
      spec: "examples/other-platform/petstore.yaml",
      environment: false,
    });
    try {
      expect([...session.operations.keys()].sort()).toEqual(["createPet", "getPet", "listPets"]);
      const created = await session.call("createPet", { body: { name: "Rex", tag: "dog" } });
      const pet = await session.call("getPet", { path: { petId: created.id } });
      expect(pet).toEqual({ id: created.id, name: "Rex", tag: "dog" });
      const missing = await session
        .call("getPet", { path: { petId: 999 } })
        .catch((error: unknown) => error);
      expect(missing).toMatchObject({ method: "GET", status: 404 });
    } finally {
      await session.close();
      await petstore.close();
    }
  });
});

// Compile-time checks (tsc runs over test/): required parameters are required.
async function typeChecks(session: Session) {
  // @ts-expect-error getTenantsList requires its ids query
  await session.call("getTenantsList");
  // @ts-expect-error getTenant requires its path id
  await session.call("getTenant", {});
  // @ts-expect-error no such operation
  await session.call("getTenantPage");
  const page = await session.call("getTenantsPage", { query: { page: 0, pageSize: 10 } });
  page.contents satisfies unknown;
}
void typeChecks;

describe("a spec given by URL", () => {
  it("is fetched through the session's transport and parsed; a missing one is a ConfigError", async () => {
    const yaml = readFileSync("examples/other-platform/petstore.yaml", "utf8");
    const specServer = createServer((request, response) => {
      if (request.url === "/petstore.yaml") {
        response.writeHead(200, { "content-type": "application/yaml" });
        response.end(yaml);
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => specServer.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(specServer.address() as AddressInfo).port}`;
    const options = {
      baseUrl: origin,
      clientId: "c",
      clientSecret: "s",
      grant: { type: "client_credentials" as const },
      environment: false as const,
    };
    try {
      const session = await createSession({ ...options, spec: `${origin}/petstore.yaml` });
      expect([...session.operations.keys()].sort()).toEqual(["createPet", "getPet", "listPets"]);
      await session.close();
      const missing = await createSession({ ...options, spec: `${origin}/nope.yaml` }).catch(
        (error: unknown) => error,
      );
      expect(missing).toBeInstanceOf(ConfigError);
      expect((missing as Error).message).toContain("answered HTTP 404");
    } finally {
      await new Promise((resolve) => specServer.close(resolve));
    }
  });
});
