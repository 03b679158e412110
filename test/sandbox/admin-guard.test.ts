import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RawRequest, rawRequest } from "./support/raw-http.js";
import { type Fixture, startFixture, TENANTS_PATH } from "./support/sandbox-fixture.js";

// The admin surface must not be reachable from a web page: no cross-site "simple" POST
// (text/plain, forms), no foreign Origin, no Host other than this machine's (DNS rebinding).
let f: Fixture;
let bearer: string;
let port: number;
const pagePath = `${TENANTS_PATH}?page=0&pageSize=1`;
const rule = JSON.stringify({ operationId: "getTenantsPage", status: 503 });

beforeAll(async () => {
  f = await startFixture();
  bearer = await f.signIn();
  port = Number(new URL(f.sandbox.url).port);
});
afterAll(() => f.sandbox.close());

function admin(options: RawRequest) {
  return rawRequest(f.sandbox.url, options);
}

/** Whether a fault rule is pending: the next listing would fail. Consumes it if so. */
async function faultPending(): Promise<boolean> {
  return (await f.api.call(pagePath, { bearer })).status !== 200;
}

describe("the admin surface refuses what a web page could send", () => {
  it("answers 415 to a POST that is not application/json (a cross-site simple request)", async () => {
    for (const contentType of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const answer = await admin({
        method: "POST",
        path: "/__sandbox/faults",
        headers: { "content-type": contentType },
        body: rule,
      });
      expect(answer.status, contentType).toBe(415);
      expect(JSON.parse(answer.body).message).toContain("application/json");
    }
    const noType = await admin({ method: "POST", path: "/__sandbox/expire-tokens" });
    expect(noType.status).toBe(415);
    expect(await faultPending()).toBe(false);
    expect((await f.api.call(pagePath, { bearer })).status).toBe(200); // tokens not expired
  });

  it("answers 403 to a foreign or opaque Origin, even with a JSON body", async () => {
    for (const origin of [
      "http://evil.example",
      `http://evil.example:${port}`,
      "null",
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
    ]) {
      const answer = await admin({
        method: "POST",
        path: "/__sandbox/faults",
        headers: { "content-type": "application/json", origin },
        body: rule,
      });
      expect(answer.status, origin).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await faultPending()).toBe(false);
  });

  it("answers 403 when Host is not a loopback name with the sandbox's port (DNS rebinding)", async () => {
    for (const host of [
      `evil.example:${port}`,
      "evil.example",
      `127.0.0.1:${port + 1}`,
      "127.0.0.1",
      `user@127.0.0.1:${port}`,
      `127.0.0.1:${port}/x`,
    ]) {
      const post = await admin({
        method: "POST",
        path: "/__sandbox/faults",
        headers: { "content-type": "application/json", host },
        body: rule,
      });
      expect(post.status, host).toBe(403);
      const stats = await admin({ path: "/__sandbox/stats", headers: { host } });
      expect(stats.status, host).toBe(403);
      expect(JSON.parse(stats.body).message).toContain(`127.0.0.1:${port}`);
    }
    expect(await faultPending()).toBe(false);
  });

  it("serves this machine's programs: loopback Host names, the same Origin, JSON", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const added = await admin({
        method: "POST",
        path: "/__sandbox/faults",
        headers: { "content-type": "application/json; charset=utf-8", host },
        body: rule,
      });
      expect(added.status, host).toBe(201);
      expect(await faultPending()).toBe(true);
    }
    const sameOrigin = await admin({
      method: "POST",
      path: "/__sandbox/faults",
      headers: { "content-type": "application/json", origin: `http://localhost:${port}` },
      body: rule,
    });
    expect(sameOrigin.status).toBe(201);
    expect(await faultPending()).toBe(true);
    const ipv6 = await admin({ path: "/__sandbox/stats", headers: { host: `[::1]:${port}` } });
    expect(ipv6.status).toBe(200);
  });
});
