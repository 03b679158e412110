import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { createSession, type Session } from "../../src/session/create-session.js";
import { InvalidRequestError } from "../../src/session/errors.js";

// A session writes each parameter in the style and explode its spec gives (OpenAPI 3.0.3
// §4.7.12.4 "Style Values"; the expected strings are those of §4.7.12.5's style examples), seen
// on the raw request line and headers a node:http server on 127.0.0.1 receives.

const ok = { "200": { description: "OK", content: { "application/json": { schema: {} } } } };
const strings = { type: "array", items: { type: "string" } };
const point = {
  type: "object",
  properties: { R: { type: "integer" }, G: { type: "integer" } },
  required: ["R", "G"],
};
const path = (name: string, style: string, explode: boolean, schema: object) => ({
  name,
  in: "path",
  required: true,
  style,
  explode,
  schema,
});
const query = (name: string, style: string, explode: boolean, schema: object, extra = {}) => ({
  name,
  in: "query",
  style,
  explode,
  schema,
  ...extra,
});
const get = (operationId: string, parameters: object[]) => ({
  get: { operationId, parameters, responses: ok },
});

const spec = {
  openapi: "3.0.3",
  info: { title: "styles", version: "1" },
  security: [],
  paths: {
    "/simple/{id}/{ids}/{point}": get("simplePath", [
      // No style or explode: the path default, simple without explode.
      { name: "id", in: "path", required: true, schema: { type: "string" } },
      path("ids", "simple", false, strings),
      path("point", "simple", true, point),
    ]),
    "/label/{id}/{ids}/{exploded}": get("labelPath", [
      path("id", "label", false, { type: "string" }),
      path("ids", "label", false, strings),
      path("exploded", "label", true, strings),
    ]),
    "/matrix/{id}/{ids}/{point}": get("matrixPath", [
      path("id", "matrix", false, { type: "integer" }),
      path("ids", "matrix", true, strings),
      path("point", "matrix", false, point),
    ]),
    "/query": get("styledQuery", [
      // No style or explode: the query default, form with explode.
      { name: "tags", in: "query", schema: strings },
      query("csv", "form", false, strings),
      query("spaces", "spaceDelimited", false, strings),
      query("pipes", "pipeDelimited", false, strings),
      query("filter", "deepObject", true, point),
      query("color", "form", true, point),
      query("flat", "form", false, point),
      query("next", "form", true, { type: "string" }, { allowReserved: true }),
      query("escaped", "form", true, { type: "string" }),
    ]),
    "/headers": get("styledHeaders", [
      { name: "X-Ids", in: "header", schema: strings },
      { name: "X-Point", in: "header", explode: true, schema: point },
      { name: "X-Flat", in: "header", schema: point },
    ]),
    "/cookies": get("styledCookies", [
      { name: "session", in: "cookie", schema: { type: "string" } },
      { name: "ids", in: "cookie", explode: false, schema: strings },
      { name: "point", in: "cookie", explode: false, schema: point },
      // form's default explode (true) for an array: no cookie form.
      { name: "exploded", in: "cookie", schema: strings },
    ]),
  },
};

let server: Server;
let session: Session;
const received: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push({ url: request.url ?? "", headers: request.headers });
    response.writeHead(200, { "content-type": "application/json" });
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  session = await createSession({
    baseUrl: `http://127.0.0.1:${port}`,
    spec,
    anonymous: true,
    environment: false,
  });
});
afterAll(async () => {
  await session.close();
  await new Promise((resolve) => server.close(resolve));
});

/** The raw request target of one `send`. */
async function sent(operationId: string, init: object) {
  const before = received.length;
  await session.send(operationId, init);
  expect(received.length).toBe(before + 1);
  return received.at(-1) as { url: string; headers: IncomingHttpHeaders };
}

describe("parameters are written in their spec's style", () => {
  it("path, simple: a scalar, an array, an exploded object", async () => {
    const { url } = await sent("simplePath", {
      path: { id: "a b", ids: ["x", "y"], point: { R: 100, G: 200 } },
    });
    expect(url).toBe("/simple/a%20b/x,y/R=100,G=200");
  });

  it("path, label: a scalar, an array, an exploded array", async () => {
    const { url } = await sent("labelPath", {
      path: { id: "a", ids: ["x", "y"], exploded: ["x", "y"] },
    });
    expect(url).toBe("/label/.a/.x,y/.x.y");
  });

  it("path, matrix: a scalar, an exploded array, an object", async () => {
    const { url } = await sent("matrixPath", {
      path: { id: 5, ids: ["x", "y"], point: { R: 100, G: 200 } },
    });
    expect(url).toBe("/matrix/;id=5/;ids=x;ids=y/;point=R,100,G,200");
  });

  it("query: form with and without explode, spaceDelimited, pipeDelimited, deepObject, allowReserved", async () => {
    const { url } = await sent("styledQuery", {
      query: {
        tags: ["a", "b"],
        csv: ["x", "y"],
        spaces: ["s", "t"],
        pipes: ["p", "q"],
        filter: { R: 1, G: 2 },
        color: { R: 100, G: 200 },
        flat: { R: 100, G: 200 },
        next: "a/b?c",
        escaped: "a/b?c",
      },
    });
    expect(url).toBe(
      // An exploded form object (`color`) is its properties alone, with no name (§4.7.12.5).
      "/query?tags=a&tags=b&csv=x,y&spaces=s%20t&pipes=p|q&filter[R]=1&filter[G]=2" +
        "&R=100&G=200&flat=R,100,G,200&next=a/b?c&escaped=a%2Fb%3Fc",
    );
  });

  it("header, simple: an array, an exploded and a plain object", async () => {
    const { headers } = await sent("styledHeaders", {
      header: { "X-Ids": ["x", "y"], "X-Point": { R: 100, G: 200 }, "X-Flat": { R: 1, G: 2 } },
    });
    expect(headers["x-ids"]).toBe("x,y");
    expect(headers["x-point"]).toBe("R=100,G=200");
    expect(headers["x-flat"]).toBe("R,1,G,2");
  });

  it("cookie, form: a scalar, an array and an object without explode, in one Cookie header", async () => {
    const { headers } = await sent("styledCookies", {
      cookie: { session: "a b;c", ids: ["x", "y"], point: { R: 1, G: 2 } },
    });
    expect(headers.cookie).toBe("session=a%20b%3Bc; ids=x,y; point=R,1,G,2");
  });

  it("refuses an exploded array cookie, which has no form (nothing sent)", async () => {
    const before = received.length;
    const refused = await session
      .send("styledCookies", { cookie: { exploded: ["x", "y"] } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(String(refused)).toMatch(/cookie parameter exploded: .*explode: false/);
    expect(received.length).toBe(before);
  });

  it("refuses a header value holding a line break, without repeating it (nothing sent)", async () => {
    const before = received.length;
    const secretish = "key-7f3a\r\nX-Injected: 1";
    for (const header of [{ "X-Ids": ["x", secretish] }, { "X-Ids": [secretish] }]) {
      const refused = await session
        .send("styledHeaders", { header })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConfigError);
      expect(String(refused)).toMatch(/header parameter X-Ids: .*line break/);
      expect(String(refused)).not.toContain("key-7f3a");
    }
    expect(received.length).toBe(before);
  });

  it("still checks the values against the spec before sending, whatever the style", async () => {
    const before = received.length;
    const refused = await session
      .send("matrixPath", { path: { id: "five", ids: ["x"], point: { R: 1, G: 2 } } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(String(refused)).toMatch(/path parameter id must be integer/);
    const badObject = await session
      .send("styledQuery", { query: { filter: { R: "red", G: 2 } } })
      .catch((error: unknown) => error);
    expect(badObject).toBeInstanceOf(InvalidRequestError);
    expect(received.length).toBe(before);
  });
});
