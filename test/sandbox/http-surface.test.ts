import { connect } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { type Fixture, startFixture, TENANTS_PATH } from "./support/sandbox-fixture.js";

let f: Fixture;
let bearer: string;
const logLines: string[] = [];

beforeAll(async () => {
  f = await startFixture({ log: (line) => logLines.push(line) });
  bearer = await f.signIn();
});
afterAll(() => f.sandbox.close());

/** Sends raw bytes and resolves with everything the server sent back before closing. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("raw exchange timed out")));
  });
}

describe("the HTTP surface around the spec", () => {
  it("answers 404 with the Error body for a path the spec does not have", async () => {
    const answer = await f.api.call("/idm/api/v9/tenants", { bearer });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      code: "NOT_FOUND",
      message: "no operation at /idm/api/v9/tenants; see openapi/msx.yaml",
    });
  });

  it("answers 405 with Allow for a method the path does not support", async () => {
    const answer = await f.api.call(TENANTS_PATH, { method: "PATCH", bearer });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, POST");
    const head = await f.api.call("/idm/v2/token", { method: "HEAD" });
    expect(head.status).toBe(405);
  });

  it("answers 415 for a body in a media type the operation does not take", async () => {
    const answer = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer,
      headers: { "content-type": "text/plain" },
      body: '{"name":"x"}',
    });
    expect(answer.status).toBe(415);
    expect(answer.body.message).toBe("Content-Type must be application/json, got text/plain");
    const charset = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: '{"name":"with charset"}',
    });
    expect(charset.status).toBe(201);
  });

  it("answers 413 to a body over 1 MiB, then still serves new connections", async () => {
    const answer = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer,
      json: { name: "big", description: "x".repeat(2 * 1024 * 1024) },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect(answer.headers.get("connection")).toBe("close");
    expect((await f.api.call(`${TENANTS_PATH}?page=0&pageSize=1`, { bearer })).status).toBe(200);
  });

  it("answers 400 to a malformed JSON body and to malformed percent-encoding", async () => {
    const json = await f.api.call(TENANTS_PATH, {
      method: "POST",
      bearer,
      headers: { "content-type": "application/json" },
      body: '{"name":',
    });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/^request body is not valid JSON: /);
    const path = await f.api.call(`${TENANTS_PATH}/%E0%A4%A`, { bearer });
    expect(path.status).toBe(400);
    expect(path.body.message).toBe("the path has malformed percent-encoding");
  });

  it("answers requests Node's parser rejects with a JSON error instead of a bare 400", async () => {
    const reply = await rawExchange(
      f.sandbox.url,
      "GET /idm/api/v8/tenants HTTP/1.1\r\nHost x\r\n\r\n",
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4))).toEqual({
      code: "BAD_REQUEST",
      message: "the request is not valid HTTP/1.1",
    });
  });

  it("logs one line per request with no secret in it", async () => {
    await f.token({ grant_type: "password", username: "superuser", password: "sandbox-password" });
    const text = logLines.join("\n");
    expect(text).toMatch(/^POST \/idm\/v2\/token 200 \d+ms$/m);
    for (const secret of ["sandbox-password", "sandbox-client-secret", bearer]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("close()", () => {
  it("ends idle keep-alive connections, so it resolves and the port stops answering", async () => {
    const sandbox = await startSandbox();
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    try {
      const response = await fetch(`${sandbox.url}/nowhere`, {
        dispatcher: agent,
        signal: AbortSignal.timeout(5000),
      } as RequestInit & { dispatcher: Agent });
      expect(response.headers.get("connection")).toBe("keep-alive");
      await response.text();
      await sandbox.close(); // would hang until the keep-alive timeout without closeAllConnections
      await expect(
        fetch(`${sandbox.url}/nowhere`, { signal: AbortSignal.timeout(5000) }),
      ).rejects.toThrow(/fetch failed/);
      await sandbox.close(); // idempotent
    } finally {
      await agent.close();
    }
  });
});
