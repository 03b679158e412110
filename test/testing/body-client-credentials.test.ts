import { describe, expect, it } from "vitest";
import { ContractViolationError, mockMsx, VIOLATION_STATUS } from "../../src/testing/index.js";
import { useNockHygiene } from "./nock-hygiene.js";

// openapi/msx.yaml lets the token endpoint's client authenticate in the form body (the `{}`
// security alternative: client_id + client_secret, or client_id alone for a public client), as
// passgrant's `post` and `none` modes do; the kit must accept those and still check them.
useNockHygiene();

const BASE = "https://msx.example.test";
const FORM = "application/x-www-form-urlencoded";
const client = { clientId: "my-client", clientSecret: "my-secret" };

function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${BASE}/idm/v2/token`, {
    method: "POST",
    headers: { "Content-Type": FORM, ...headers },
    body: new URLSearchParams({ grant_type: "client_credentials", ...fields }).toString(),
  });
}

function violations(msx: { verify(): void }): string {
  try {
    msx.verify();
    return "";
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolationError);
    return (error as Error).message;
  }
}

describe("client credentials in the token request's body", () => {
  it("accepts client_secret_post with the expected id and secret", async () => {
    const msx = mockMsx(BASE, { client }).getAccessToken();
    const response = await tokenRequest({ client_id: "my-client", client_secret: "my-secret" });
    expect(response.status).toBe(200);
    expect(violations(msx)).toBe("");
  });

  it("reports a wrong client_id or client_secret without printing the secret", async () => {
    const wrongId = mockMsx(BASE, { client }).getAccessToken();
    await tokenRequest({ client_id: "other", client_secret: "my-secret" });
    expect(violations(wrongId)).toContain(`the form's client_id is "other"`);
    const wrongSecret = mockMsx(BASE, { client }).getAccessToken();
    const response = await tokenRequest({ client_id: "my-client", client_secret: "guess-123" });
    expect(response.status).toBe(VIOLATION_STATUS);
    const message = violations(wrongSecret);
    expect(message).toContain("the form's client_secret is the wrong client secret");
    expect(message).not.toContain("guess-123");
  });

  it("accepts client_id alone only for a client without a secret (a public client)", async () => {
    const confidential = mockMsx(BASE, { client }).getAccessToken();
    await tokenRequest({ client_id: "my-client" });
    expect(violations(confidential)).toContain("no client_secret");
    const publicClient = mockMsx(BASE, {
      client: { clientId: "my-client", clientSecret: "" },
    }).getAccessToken();
    expect((await tokenRequest({ client_id: "my-client" })).status).toBe(200);
    expect(violations(publicClient)).toBe("");
  });

  it("reports a client that authenticates twice, and one that doesn't at all", async () => {
    const twice = mockMsx(BASE, { client }).getAccessToken();
    const basic = `Basic ${Buffer.from("my-client:my-secret").toString("base64")}`;
    await tokenRequest(
      { client_id: "my-client", client_secret: "my-secret" },
      { authorization: basic },
    );
    expect(violations(twice)).toContain("authenticated twice");
    const none = mockMsx(BASE, { client }).getAccessToken();
    await tokenRequest({});
    expect(violations(none)).toContain(
      "the Basic Authorization header is missing, and the form has no client_id",
    );
  });
});
