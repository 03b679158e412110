import nock from "nock";
import { describe, expect, it } from "vitest";
import type {
  operations as PetstoreOperations,
  paths as PetstorePaths,
} from "../../examples/other-platform/generated/petstore.js";
import type { operations as MsxOperations } from "../../generated/msx.js";
import { createApiClient } from "../../src/client/create-api-client.js";
import { loadMsxDocument } from "../../src/spec/msx-spec.js";
import { ContractViolationError, mockApi, VIOLATION_STATUS } from "../../src/testing/index.js";
import type { operations } from "../fixtures/generated/third-party-api.js";
import { useNockHygiene } from "./nock-hygiene.js";

useNockHygiene();

// The generic kit against a spec passgrant did not shape (test/fixtures/third-party-api.yaml:
// API keys in query and header, OAuth2 and http bearer, $ref'd bodies and parameters), and
// against the bundled MSX spec.
const SPEC = new URL("../fixtures/third-party-api.yaml", import.meta.url);
const BASE = "https://api.shelter.example/v2";
const JSON_HEADERS = { "Content-Type": "application/json", Authorization: "Bearer tok-1" };

function verifyMessage(mock: { verify(): void }): string {
  try {
    mock.verify();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolationError);
    return (error as Error).message;
  }
  throw new Error("expected verify() to throw");
}

const addPet = (body: string, headers: Record<string, string> = JSON_HEADERS) =>
  fetch(`${BASE}/pets`, { method: "POST", headers, body });

describe("mockApi over a third-party spec (a file path)", () => {
  it("answers a valid call with a spec-valid reply made from the schema and its examples", async () => {
    const api = mockApi<operations>(SPEC.pathname, BASE).addPet();
    const response = await addPet(JSON.stringify({ name: "Rex", species: "dog" }));
    expect(response.status).toBe(201);
    const pet = (await response.json()) as Record<string, unknown>;
    expect(pet).toMatchObject({ id: 42, adopted: true, species: "cat" });
    expect(typeof pet.name).toBe("string");
    expect(() => api.verify()).not.toThrow();
    expect(api.requests).toEqual([
      expect.objectContaining({
        operationId: "addPet",
        authorizationScheme: "Bearer",
        valid: true,
      }),
    ]);
  });

  it("rejects a wrong body, naming the operation and the field", async () => {
    const api = mockApi<operations>(SPEC.pathname, BASE).addPet();
    const response = await addPet(JSON.stringify({ name: "Rex", species: "dragon" }));
    expect(response.status).toBe(VIOLATION_STATUS);
    const message = verifyMessage(api);
    expect(message).toContain("the Pet Shelter mock for https://api.shelter.example/v2");
    expect(message).toContain('addPet (POST /pets): request body field "species"');
  });

  it("rejects a wrong content type", async () => {
    const api = mockApi<operations>(SPEC, BASE).addPet();
    await addPet(JSON.stringify({ name: "Rex", species: "dog" }), {
      ...JSON_HEADERS,
      "Content-Type": "text/plain",
    });
    expect(verifyMessage(api)).toContain(
      'addPet (POST /pets): wrong Content-Type "text/plain" (expected application/json)',
    );
  });

  it("rejects a missing bearer token on a bearer-secured operation", async () => {
    const api = mockApi<operations>(SPEC, BASE).addPet();
    await addPet(JSON.stringify({ name: "Rex", species: "dog" }), {
      "Content-Type": "application/json",
    });
    expect(verifyMessage(api)).toContain(
      "addPet (POST /pets): the Bearer Authorization header is missing (security scheme bearer needs an access token)",
    );
  });

  it("rejects bearer credentials that are not one token (RFC 6750 §2.1)", async () => {
    const api = mockApi<operations>(SPEC, BASE).addPet();
    await addPet(JSON.stringify({ name: "Rex", species: "dog" }), {
      "Content-Type": "application/json",
      Authorization: "Bearer two tokens",
    });
    expect(verifyMessage(api)).toContain(
      "the Bearer credentials are not one token of visible ASCII characters",
    );
  });

  it("checks an API key in the query, and masks it in the recorded request", async () => {
    const api = mockApi<operations>(SPEC, BASE, { apiKeys: { keyInQuery: "k-123" } }).listPets({
      times: 3,
    });
    expect((await fetch(`${BASE}/pets?limit=5&api_key=k-123`)).status).toBe(200);
    await fetch(`${BASE}/pets?limit=5`);
    await fetch(`${BASE}/pets?api_key=wrong`);
    expect(api.requests[0]?.query).toBe("limit=5&api_key=%3Credacted%3E");
    const message = verifyMessage(api);
    expect(message).toContain(
      'the API key is missing: security scheme keyInQuery expects it in the query parameter "api_key"',
    );
    expect(message).toContain(
      'the API key in the query parameter "api_key" is not the expected one',
    );
    expect(message).not.toContain("wrong");
  });

  it("accepts either alternative of an operation's security (API key header or OAuth2 bearer)", async () => {
    const api = mockApi<operations>(SPEC, BASE).getPet({
      times: 3,
      match: { params: { petId: "7" } },
    });
    expect((await fetch(`${BASE}/pets/7`, { headers: { "X-API-Key": "k" } })).status).toBe(200);
    expect((await fetch(`${BASE}/pets/7`, { headers: { Authorization: "Bearer t" } })).status).toBe(
      200,
    );
    await fetch(`${BASE}/pets/7`);
    expect(verifyMessage(api)).toContain(
      'getPet (GET /pets/7): the API key is missing: security scheme keyInHeader expects it in the header "X-API-Key"',
    );
  });

  it("checks query and path parameters against their schemas", async () => {
    const api = mockApi<operations>(SPEC, BASE).listPets().getPet();
    await fetch(`${BASE}/pets?limit=500&api_key=k`);
    await fetch(`${BASE}/pets/0`, { headers: { "X-API-Key": "k" } });
    const message = verifyMessage(api);
    expect(message).toContain('query parameter "limit": must be <= 100');
    expect(message).toContain('path parameter "petId": must be >= 1');
  });

  it("replies a documented error status with the schema's example, in its media type", async () => {
    const api = mockApi<operations>(SPEC, BASE).getPet({ status: 404 });
    const response = await fetch(`${BASE}/pets/9`, { headers: { "X-API-Key": "k" } });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual({ title: "Not Found", status: 404 });
    expect(() => api.verify()).not.toThrow();
  });

  it("reports a mocked reply that breaks the spec, and a stray or unused call", async () => {
    const api = mockApi<operations>(SPEC, BASE)
      // @ts-expect-error an off-spec reply on purpose: the generated types already refuse it
      .health({ body: { status: "sleeping" } })
      .deletePet();
    await fetch(`${BASE}/health`);
    await fetch(`${BASE}/kennels`);
    const message = verifyMessage(api);
    expect(message).toContain('the mocked 200 reply does not match the spec: field "status"');
    expect(message).toContain("no operation of the spec is GET /kennels");
    expect(message).toContain(
      "deletePet (DELETE /pets/{petId}): expected 1 more call(s), none came",
    );
    nock.cleanAll(); // the unused deletePet is left on purpose; the hygiene check would fail
  });
});

describe("mockApi over the bundled MSX spec (a parsed document)", () => {
  it("checks the declared Basic scheme of the token endpoint and Bearer of tenant calls", async () => {
    const api = mockApi<MsxOperations>(loadMsxDocument(), "https://msx.example.test")
      .getAccessToken()
      .getTenant();
    const basic = `Basic ${Buffer.from("id:secret").toString("base64")}`;
    const token = await fetch("https://msx.example.test/idm/v2/token", {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&username=u&password=p",
    });
    expect(token.status).toBe(200);
    await fetch("https://msx.example.test/idm/api/v8/tenants/07430f51-65f7-46f0-8306-0cce8cae147c");
    expect(verifyMessage(api)).toContain(
      "getTenant (GET /idm/api/v8/tenants/07430f51-65f7-46f0-8306-0cce8cae147c): the Bearer Authorization header is missing",
    );
  });

  it("rejects a form sent as JSON to the form-encoded token endpoint", async () => {
    const api = mockApi<MsxOperations>(
      loadMsxDocument(),
      "https://msx.example.test",
    ).getAccessToken();
    await fetch("https://msx.example.test/idm/v2/token", {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from("id:secret").toString("base64")}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ grant_type: "password" }),
    });
    expect(verifyMessage(api)).toContain("the body is JSON, not form-encoded");
  });
});

describe("mockApi over examples/other-platform/petstore.yaml, with passgrant's own typed client", () => {
  const PETSTORE = new URL("../../examples/other-platform/petstore.yaml", import.meta.url);
  const PETS = "https://petstore.example";

  it("applies the document-level security and $ref'd responses", async () => {
    const api = mockApi<PetstoreOperations>(PETSTORE, PETS, { bearerTokens: ["t-1"] })
      .createPet()
      .getPet({ status: 404 })
      .listPets();
    const client = createApiClient<PetstorePaths>({
      baseUrl: PETS,
      headers: { Authorization: "Bearer t-1" },
    });
    const created = await client.POST("/v1/pets", { body: { name: "Rex" } });
    expect(created.response.status).toBe(201);
    const missing = await client.GET("/v1/pets/{petId}", { params: { path: { petId: 3 } } });
    expect(missing.response.status).toBe(404);
    expect(missing.response.headers.get("content-type")).toBe("application/problem+json");
    const anonymous = createApiClient<PetstorePaths>({ baseUrl: PETS });
    await anonymous.GET("/v1/pets", {});
    expect(verifyMessage(api)).toContain(
      "listPets (GET /v1/pets): the Bearer Authorization header is missing (security scheme BearerAuth needs an access token)",
    );
  });
});
