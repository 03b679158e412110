import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";

// The sandbox and the nock kit decode Basic credentials with one strict decoder
// (src/spec/basic-credentials.ts); these are the answers a client sees.
describe("the sandbox's Basic client authentication", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      clients: [{ clientId: "ab", clientSecret: "c" }], // "ab:c" is base64 "YWI6Yw==" (padded)
      seed: false,
    });
  });
  afterAll(() => sandbox.close());

  const token = (authorization: string) =>
    fetch(`${sandbox.url}/idm/v2/token`, {
      method: "POST",
      headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });

  it("accepts canonical, padded base64", async () => {
    expect((await token("Basic YWI6Yw==")).status).toBe(200);
  });

  it.each([
    ["without its padding", "Basic YWI6Yw"],
    ["with extra padding", "Basic YWI6Yw===="],
    ["with non-zero pad bits", "Basic YWI6Yx=="],
  ])("answers 401 invalid_client for base64 %s", async (_, authorization) => {
    const response = await token(authorization);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_client");
    expect(body.error_description).toMatch(/not base64 of client_id:client_secret/);
  });
});
