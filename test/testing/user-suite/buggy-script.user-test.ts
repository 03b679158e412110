// A user's test of a buggy script: the script posts the tenant as text/plain and never looks at
// the response, and the test itself asserts nothing. Only the kit's verify() can fail it.
import nock from "nock";
import { afterEach, it } from "vitest";
import { type MsxMock, mockMsx } from "../../../src/testing/index.js";

const BASE = "https://msx.user.test";
let msx: MsxMock;

afterEach(() => {
  nock.cleanAll();
  msx.verify();
});

async function buggyCreateTenant(name: string): Promise<void> {
  await fetch(`${BASE}/idm/api/v8/tenants`, {
    method: "POST",
    headers: { Authorization: "Bearer user-token-123", "Content-Type": "text/plain" },
    body: JSON.stringify({ name }),
  });
}

it("creates a tenant", async () => {
  nock.disableNetConnect();
  msx = mockMsx(BASE).createTenant();
  await buggyCreateTenant("Coke");
});
