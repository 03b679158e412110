import { Agent } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Fixture, startFixture, TENANTS_PATH } from "./support/sandbox-fixture.js";

let f: Fixture;
let bearer: string;
// No pipelining, and every request asks for `Connection: close`: 500 requests, 500 connections.
const agent = new Agent({ pipelining: 1, connections: 500 });

beforeAll(async () => {
  f = await startFixture();
  bearer = await f.signIn();
});
afterAll(async () => {
  await agent.close();
  await f.sandbox.close();
});

it("500 concurrent creates on separate connections end with exactly 500 new tenants", async () => {
  const before = f.sandbox.tenants().length;
  const names = Array.from({ length: 500 }, (_, i) => `concurrent-${i}`);
  const answers = await Promise.all(
    names.map(async (name) => {
      const response = await fetch(new URL(TENANTS_PATH, f.sandbox.url), {
        method: "POST",
        headers: {
          authorization: `Bearer ${bearer}`,
          "content-type": "application/json",
          connection: "close",
        },
        body: JSON.stringify({ name }),
        dispatcher: agent,
        signal: AbortSignal.timeout(15_000),
        // npm undici's Agent is not the type of the global fetch's dispatcher (undici-types).
      } as unknown as RequestInit);
      expect(response.headers.get("connection")).toBe("close");
      return f.api.check("POST", TENANTS_PATH, response);
    }),
  );
  expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 201));
  const ids = new Set(answers.map((answer) => answer.body.id as string));
  expect(ids.size).toBe(500);

  const stored = f.sandbox.tenants();
  expect(stored).toHaveLength(before + 500);
  expect(new Set(stored.map((tenant) => tenant.name))).toEqual(
    new Set([...stored.slice(0, before).map((tenant) => tenant.name), ...names]),
  );
  const page = await f.api.call(`${TENANTS_PATH}?page=0&pageSize=1000`, { bearer });
  expect(page.body.totalItems).toBe(before + 500);
  expect(page.body.contents.filter((tenant: { id: string }) => ids.has(tenant.id))).toHaveLength(
    500,
  );
});
