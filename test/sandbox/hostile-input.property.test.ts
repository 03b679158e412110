/**
 * Property: whatever a client sends, the sandbox answers with well-formed JSON and never a 5xx,
 * never hangs (every request has a timeout) and never dies (it still answers afterwards).
 * Valid requests may succeed by chance; their answers are checked against the spec like any other.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { COKE_ID, type Fixture, rawBasic, startFixture } from "./support/sandbox-fixture.js";

let f: Fixture;
let bearer: string;

beforeAll(async () => {
  f = await startFixture();
  bearer = await f.signIn();
});
afterAll(() => f.sandbox.close());

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
// No '/', '\', '?' or '#': a segment must never turn the path into another URL's authority.
const segment = fc.oneof(
  fc.constantFrom(
    "idm",
    "api",
    "v8",
    "v2",
    "tenants",
    "token",
    "list",
    "externalId",
    COKE_ID,
    "..",
    "%2F",
    "%ZZ",
    "%00",
    "",
  ),
  fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@-]{1,12}$/),
);
const path = fc
  .array(segment, { minLength: 1, maxLength: 6 })
  .map((segments) => `/${["idm", ...segments].join("/")}`)
  .filter((candidate) => !candidate.includes("__sandbox"));
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom("page", "pageSize", "ids", "showImage", "sortBy", "sortOrder", "parentId"),
        printable(8),
      ),
      fc.oneof(
        fc.constantFrom("0", "-1", "1001", "1e309", "true", "null", "[]", COKE_ID),
        printable(12),
      ),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());
// Many requests carry the live bearer token, so they get past authentication to validation.
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant("Bearer valid") }, // replaced with the live token below
  fc.constant(undefined),
  fc.constantFrom("Bearer", "Bearer  x y", "Basic", "Basic Og==", "Basic =====", "Digest x"),
  printable(40).map((text) => `Basic ${Buffer.from(text).toString("base64")}`),
  printable(40).map((text) => `Basic ${text}`),
  printable(40),
);
const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json; charset=latin1",
    "multipart/form-data",
  ),
  printable(30),
);
const body = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.json() },
  { weight: 3, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(printable(12), printable(12))
      .map((d) => new URLSearchParams(d).toString()),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"name":',
      "{}",
      "[]",
      '{"name":null}',
      '{"name":"x","parentId":5}',
      "grant_type=password&grant_type=x",
    ),
  },
  { weight: 1, arbitrary: fc.constant("x".repeat(1024 * 1024 + 10)) },
);
const method = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
  },
  fc.stringMatching(/^[A-Z]{3,8}$/).filter((m) => !["CONNECT", "TRACE", "TRACK"].includes(m)),
);

/** Anything at all: random method, path, query, credentials, media type and body. */
const anyRequest = fc.record({
  method,
  path: fc.oneof(path, {
    weight: 3,
    arbitrary: fc.constantFrom(
      "/idm/v2/token",
      "/idm/api/v8/tenants",
      "/idm/api/v8/tenants/list",
      `/idm/api/v8/tenants/${COKE_ID}`,
      "/idm/api/v8/tenants/externalId/crm-000003",
    ),
  }),
  query,
  authorization,
  contentType,
  body,
});

/**
 * A real operation with the live token and its own media type, so the hostile part (query or
 * body) reaches validation and the handlers instead of stopping at routing or authentication.
 */
const nearlyValidRequest = fc
  .record({
    operation: fc.constantFrom(
      { method: "POST", path: "/idm/api/v8/tenants", contentType: "application/json" },
      { method: "PUT", path: `/idm/api/v8/tenants/${COKE_ID}`, contentType: "application/json" },
      { method: "GET", path: "/idm/api/v8/tenants", contentType: undefined },
      { method: "GET", path: "/idm/api/v8/tenants/list", contentType: undefined },
      {
        method: "DELETE",
        path: "/idm/api/v8/tenants/00000000-0000-4000-8000-000000000000",
        contentType: undefined,
      },
      { method: "POST", path: "/idm/v2/token", contentType: "application/x-www-form-urlencoded" },
    ),
    query,
    body,
  })
  .map(({ operation, query, body }) => ({
    method: operation.method,
    path: operation.path,
    query,
    authorization: operation.path === "/idm/v2/token" ? "Basic client" : "Bearer valid",
    contentType: operation.contentType,
    body,
  }));

const isErrorBody = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  ((typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string") ||
    typeof (value as { error?: unknown }).error === "string");

it("answers random and hostile HTTP requests with well-formed JSON, never a 5xx", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyRequest, nearlyValidRequest), async (request) => {
      const headers: Record<string, string> = {};
      if (request.authorization !== undefined) {
        headers.authorization =
          request.authorization === "Bearer valid"
            ? `Bearer ${bearer}`
            : request.authorization === "Basic client"
              ? rawBasic(f.sandbox.clientId, f.sandbox.clientSecret)
              : request.authorization;
      }
      if (request.contentType !== undefined) headers["content-type"] = request.contentType;
      const canHaveBody = request.method !== "GET" && request.method !== "HEAD";
      const answer = await f.api.call(
        `${request.path}${request.query ? `?${request.query}` : ""}`,
        {
          method: request.method,
          headers,
          ...(canHaveBody && request.body !== undefined && { body: request.body }),
          timeoutMs: 5000,
        },
      );
      expect(answer.status).toBeLessThan(500);
      if (answer.status >= 400 && request.method !== "HEAD")
        expect(isErrorBody(answer.body)).toBe(true);
    }),
    { numRuns: 400 },
  );
  expect((await f.api.call(`/idm/api/v8/tenants/${COKE_ID}`, { bearer })).status).toBe(200);
}, 60_000);

it("answers hostile token requests (bad Basic headers, odd forms) with RFC 6749 errors", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        printable(60).map((text) => `Basic ${Buffer.from(text).toString("base64")}`),
        fc.tuple(printable(20), printable(20)).map(([id, secret]) => rawBasic(id, secret)),
        printable(60),
      ),
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            "grant_type",
            "username",
            "password",
            "refresh_token",
            "access_token",
            "tenant_id",
            "client_id",
            "client_secret",
          ),
          printable(10),
        ),
        printable(20),
      ),
      async (authorization, fields) => {
        const answer = await f.token(fields, authorization);
        expect([400, 401]).toContain(answer.status);
        expect(typeof answer.body.error).toBe("string");
      },
    ),
    { numRuns: 200 },
  );
}, 60_000);

/** Writes raw bytes, half-closes, and collects whatever comes back. */
function rawExchange(bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(f.sandbox.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
  });
}

it("answers garbage bytes on the socket with a JSON 4xx (or nothing), never a crash", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
        fc
          .tuple(method, printable(40), printable(60))
          .map(([m, target, header]) =>
            Buffer.from(`${m} ${target} HTTP/1.1\r\nHost: x\r\n${header}\r\n\r\n`, "latin1"),
          ),
      ),
      async (bytes) => {
        const reply = await rawExchange(bytes);
        for (const response of reply.split(/(?=HTTP\/1\.1 \d{3} )/).filter(Boolean)) {
          expect(response).toMatch(/^HTTP\/1\.1 [1-4]\d\d /);
          const [head = "", payload = ""] = response.split("\r\n\r\n");
          if (payload && !/^HTTP\/1\.1 (204|1\d\d) /.test(head)) {
            expect(head.toLowerCase()).toContain("content-type: application/json");
            expect(isErrorBody(JSON.parse(payload)) || !/^HTTP\/1\.1 4/.test(head)).toBe(true);
          }
        }
      },
    ),
    { numRuns: 200 },
  );
  expect((await f.api.call(`/idm/api/v8/tenants/${COKE_ID}`, { bearer })).status).toBe(200);
}, 60_000);
