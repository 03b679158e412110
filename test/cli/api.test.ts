import { writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OpenAPIBackend } from "openapi-backend";
import type { OpenAPIV3 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpecBackend, loadDocument } from "../../src/spec/document.js";
import { operationTable } from "../../src/spec/operations.js";
import { sampleOf } from "../../src/testing/schema-sample.js";
import {
  type ApiRequest,
  type HostileApi,
  hostileCredentials,
  hostileEnv,
  startHostileApi,
} from "./hostile-api.js";
import { runCli, runCliInTerminal, tempDir } from "./run-cli.js";

// `passgrant api` (the built executable) against a spec passgrant did not shape
// (test/fixtures/library-api.yaml, 36 operations), served by a loopback server that checks every
// request against that spec with openapi-backend and answers with a sample of the documented reply.
const specPath = fileURLToPath(new URL("../fixtures/library-api.yaml", import.meta.url));
const document = loadDocument(specPath);
const operations = [...operationTable(document).values()];

interface Seen {
  operationId: string | undefined;
  authorization: string;
  violations: string[];
  url: URL;
  headers: Record<string, string>;
  body: string;
}

let api: HostileApi;
let backend: OpenAPIBackend;
const seen: Seen[] = [];
/** Replaces the sample reply for one operation (paging tests). */
let override: ((request: ApiRequest, response: ServerResponse) => boolean) | undefined;

/** The dereferenced spec openapi-backend holds, for samples of parameters, bodies and replies. */
const resolved = () => backend.definition as OpenAPIV3.Document;

function handle(request: ApiRequest, response: ServerResponse) {
  const wire = {
    method: request.method,
    path: request.url.pathname,
    // The raw query string: openapi-backend parses it itself (qs), deepObject brackets and
    // explode: false, spaceDelimited and pipeDelimited arrays included.
    query: request.url.search,
    headers: { ...request.headers },
    ...(request.body ? { body: JSON.parse(request.body) } : {}),
  };
  const operation = backend.matchOperation(wire);
  const violations: string[] = [];
  if (!operation) violations.push(`no operation at ${request.method} ${request.url.pathname}`);
  else {
    violations.push(...validate(wire, request.url.pathname, operation));
    const open = (operation.security ?? []).length === 0;
    if (open && request.authorization) violations.push("a token sent to a security: [] operation");
    if (!open && !/^Bearer \S+$/.test(request.authorization)) violations.push("no bearer token");
  }
  seen.push({
    operationId: operation?.operationId,
    authorization: request.authorization,
    violations,
    url: request.url,
    headers: request.headers,
    body: request.body,
  });
  if (override?.(request, response)) return;
  if (!operation || violations.length > 0) {
    response.writeHead(400, { "content-type": "application/json" });
    response.end(JSON.stringify({ title: "violation", detail: violations.join("; ") }));
    return;
  }
  const [status, reply] = Object.entries(operation.responses ?? {}).find(([code]) =>
    /^2/.test(code),
  ) as [string, OpenAPIV3.ResponseObject];
  const schema = reply.content?.["application/json"]?.schema as OpenAPIV3.SchemaObject | undefined;
  if (!schema) {
    response.writeHead(Number(status));
    response.end();
    return;
  }
  response.writeHead(Number(status), {
    "content-type": "application/json",
    "set-cookie": "session=server-cookie-secret",
  });
  response.end(JSON.stringify(sampleOf(schema)));
}

/**
 * The request checked against the spec as openapi-backend's validateRequest does (its parser,
 * then its compiled schemas), with one step it lacks: it reads path parameters as plain segments
 * and a header or a cookie as one string, so the label, matrix and array path parameters, the
 * header array and the cookie array are decoded here first, strictly by OpenAPI 3.0.3 §4.7.12.5's style examples (a label
 * value without its `.`, or a matrix one without `;name=`, is a violation).
 */
function validate(
  wire: Parameters<OpenAPIBackend["validateRequest"]>[0],
  rawPath: string,
  operation: NonNullable<ReturnType<OpenAPIBackend["matchOperation"]>>,
): string[] {
  const parsed = backend.router.parseRequest(wire, operation);
  const problems: string[] = [];
  const parameters = (operation.parameters ?? []) as OpenAPIV3.ParameterObject[];
  const names: string[] = [];
  const pattern = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const segments = new RegExp(`^${pattern}$`).exec(rawPath)?.slice(1) ?? [];
  const path: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const parameter = parameters.find((p) => p.in === "path" && p.name === name);
    const decoded = parameter && decodePath(parameter, segments[i] as string);
    if (decoded === undefined)
      problems.push(`path parameter ${name} not in its style: ${segments[i]}`);
    else path[name] = decoded;
  });
  const header = { ...parsed.headers } as Record<string, unknown>;
  for (const parameter of parameters) {
    const name = parameter.name.toLowerCase();
    const raw = header[name];
    if (parameter.in === "header" && typeof raw === "string") {
      header[name] = decodeSimple(
        parameter.schema as OpenAPIV3.SchemaObject,
        parameter.explode ?? false,
        raw,
        (v) => v,
      );
    }
  }
  const cookie = { ...parsed.cookies } as Record<string, unknown>;
  for (const parameter of parameters) {
    const raw = cookie[parameter.name];
    const schema = parameter.schema as OpenAPIV3.SchemaObject;
    // The form style without explode: `name=a,b` (its parser has already percent-decoded it).
    if (parameter.in === "cookie" && typeof raw === "string" && schema.type === "array")
      cookie[parameter.name] = raw.split(",");
  }
  const query = parsed.query as Record<string, unknown>;
  // As validateRequest does: a single value of an array query parameter is that array's item.
  for (const parameter of parameters) {
    const schema = parameter.schema as OpenAPIV3.SchemaObject;
    if (
      parameter.in === "query" &&
      schema.type === "array" &&
      typeof query[parameter.name] === "string"
    )
      query[parameter.name] = [query[parameter.name]];
  }
  const input = {
    path,
    query,
    header,
    cookie,
    ...(typeof parsed.requestBody === "object" ? { requestBody: parsed.requestBody } : {}),
  };
  for (const check of backend.validator.getRequestValidatorsForOperation(
    operation.operationId as string,
  )) {
    check(input);
    if (check.errors) problems.push(JSON.stringify(check.errors));
  }
  return problems;
}

/** A raw path segment in its parameter's style (§4.7.12.5), or undefined if it is not in it. */
function decodePath(parameter: OpenAPIV3.ParameterObject, raw: string): unknown {
  const schema = parameter.schema as OpenAPIV3.SchemaObject;
  const explode = parameter.explode ?? false;
  const name = parameter.name;
  const style = parameter.style ?? "simple";
  if (style === "simple") return decodeSimple(schema, explode, raw, decodeURIComponent);
  if (style === "label") {
    if (!raw.startsWith(".")) return undefined;
    const body = raw.slice(1);
    if (schema.type === "array") return body.split(explode ? "." : ",").map(decodeURIComponent);
    return schema.type === "object" ? undefined : decodeURIComponent(body);
  }
  if (style === "matrix") {
    const prefix = `;${name}=`;
    if (!raw.startsWith(prefix)) return undefined;
    if (schema.type === "array") {
      return explode
        ? raw
            .slice(1)
            .split(";")
            .map((part) =>
              part.startsWith(`${name}=`)
                ? decodeURIComponent(part.slice(name.length + 1))
                : undefined,
            )
        : raw.slice(prefix.length).split(",").map(decodeURIComponent);
    }
    return schema.type === "object" ? undefined : decodeURIComponent(raw.slice(prefix.length));
  }
  return undefined;
}

/** The simple style (paths and headers): arrays comma-separated, objects as pairs. */
function decodeSimple(
  schema: OpenAPIV3.SchemaObject,
  explode: boolean,
  raw: string,
  decode: (value: string) => string,
): unknown {
  if (schema.type === "array") return raw.split(",").map(decode);
  if (schema.type !== "object") return decode(raw);
  const parts = raw.split(",");
  const pairs = explode
    ? parts.map((part) => part.split("=") as [string, string])
    : parts.flatMap((part, i) =>
        i % 2 === 0 ? [[part, parts[i + 1] as string] as [string, string]] : [],
      );
  return Object.fromEntries(pairs.map(([k, v]) => [decode(k), decode(v)]));
}

beforeAll(async () => {
  backend = await createSpecBackend(document);
  api = await startHostileApi((request, response) => handle(request, response));
});
afterAll(() => api.close());

function env() {
  return { ...hostileEnv(api), MSX_TOKEN_URL: `${api.url}/idm/v2/token` };
}

/** Valid `-p` arguments for every parameter of an operation (arrays given twice). */
function paramArgs(operationId: string): string[] {
  const { path, method } = operationTable(document).get(operationId) as {
    path: string;
    method: string;
  };
  const item = resolved().paths[path] as OpenAPIV3.PathItemObject;
  const operation = item[
    method.toLowerCase() as OpenAPIV3.HttpMethods
  ] as OpenAPIV3.OperationObject;
  const params = [
    ...(item.parameters ?? []),
    ...(operation.parameters ?? []),
  ] as OpenAPIV3.ParameterObject[];
  return params.flatMap((param) => {
    const schema = param.schema as OpenAPIV3.SchemaObject;
    if (schema.type === "array") {
      const items = schema.items as OpenAPIV3.SchemaObject;
      const values = Array.isArray(schema.example)
        ? schema.example
        : items.enum
          ? items.enum.slice(0, 2)
          : [sampleOf(items)];
      return values.flatMap((value) => ["-p", `${param.name}=${value}`]);
    }
    // An object parameter is given as JSON (src/cli/api-operation.ts).
    const value = sampleOf(schema);
    return ["-p", `${param.name}=${typeof value === "object" ? JSON.stringify(value) : value}`];
  });
}

function bodyArgs(operationId: string): string[] {
  const { path, method } = operationTable(document).get(operationId) as {
    path: string;
    method: string;
  };
  const item = resolved().paths[path] as OpenAPIV3.PathItemObject;
  const operation = item[
    method.toLowerCase() as OpenAPIV3.HttpMethods
  ] as OpenAPIV3.OperationObject;
  const body = operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  const schema = body?.content["application/json"]?.schema as OpenAPIV3.SchemaObject | undefined;
  return schema ? ["--body", JSON.stringify(sampleOf(schema))] : [];
}

const cli = (args: string[], options: { stdin?: string; cwd?: string } = {}) =>
  runCli(["api", "--spec", specPath, ...args], { env: env(), ...options });

describe("passgrant api against a spec passgrant did not shape", { timeout: 300_000 }, () => {
  it("has at least 30 operations", () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it("calls every operation of the spec with no violation", async () => {
    const failures: string[] = [];
    // A few processes at a time: the machine is small.
    for (let i = 0; i < operations.length; i += 3) {
      await Promise.all(
        operations.slice(i, i + 3).map(async ({ operationId }) => {
          const args = [operationId, ...paramArgs(operationId), ...bodyArgs(operationId)];
          const result = await cli(args);
          const requests = seen.filter((s) => s.operationId === operationId);
          if (result.code !== 0)
            failures.push(`${operationId}: exit ${result.code} ${result.stderr}`);
          if (requests.length !== 1) failures.push(`${operationId}: ${requests.length} requests`);
          for (const request of requests) {
            for (const violation of request.violations)
              failures.push(`${operationId}: ${violation}`);
          }
          if (result.stdout !== "") JSON.parse(result.stdout);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(seen.every((s) => s.violations.length === 0)).toBe(true);
    expect(new Set(seen.map((s) => s.operationId)).size).toBe(operations.length);
  });

  it("prints the body compact off a terminal; --include shows status and headers, credentials redacted", async () => {
    const result = await cli(["getStatus", "--include"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"status":"up","version":"string"}\n');
    expect(result.stderr).toMatch(/^HTTP 200 OK\n/);
    expect(result.stderr).toContain("content-type: application/json");
    expect(result.stderr).toContain("set-cookie: [redacted]");
    expect(result.stderr).not.toContain("server-cookie-secret");
  });

  it("indents the body on a terminal, control characters escaped", async () => {
    override = (request, response) => {
      if (request.url.pathname !== "/status") return false;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: "up\u001b]0;pwned\u0007", version: "2" }));
      return true;
    };
    try {
      const result = await runCliInTerminal(["api", "--spec", specPath, "getStatus"], {
        env: env(),
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toBe(
        '{\n  "status": "up\\u001b]0;pwned\\u0007",\n  "version": "2"\n}\n',
      );
    } finally {
      override = undefined;
    }
  });

  it("reads the body from a file and from standard input", async () => {
    const dir = tempDir();
    const body = { name: "Ursula K. Le Guin", born: "1929-10-21" };
    writeFileSync(join(dir, "author.json"), JSON.stringify(body));
    const before = seen.length;
    const fromFile = await cli(["createAuthor", "--body", "@author.json"], { cwd: dir });
    const fromStdin = await cli(["createAuthor", "--body", "-"], { stdin: JSON.stringify(body) });
    expect([fromFile.code, fromStdin.code], fromFile.stderr + fromStdin.stderr).toEqual([0, 0]);
    const sent = seen.slice(before).map((s) => JSON.parse(s.body));
    expect(sent).toEqual([body, body]);
  });

  it("coerces values by type and repeats arrays: page=2 is a number, genre twice is an array", async () => {
    const before = seen.length;
    const result = await cli([
      "listBooks",
      "-p",
      "page=2",
      "-p",
      "genre=fiction",
      "-p",
      "genre=poetry",
      "-p",
      "available=false",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [request] = seen.slice(before);
    expect(request?.url.search).toBe("?page=2&genre=fiction&genre=poetry&available=false");
    expect(request?.violations).toEqual([]);
  });

  it("writes each parameter in its spec's style: label, matrix, array path, explode: false, delimited, deepObject, header array, cookies", async () => {
    const before = seen.length;
    const shelf = await cli(["getShelfBooks", ...paramArgs("getShelfBooks")]);
    const browse = await cli(["browseCatalogue", ...paramArgs("browseCatalogue")]);
    expect([shelf.code, browse.code], shelf.stderr + browse.stderr).toEqual([0, 0]);
    const [shelfRequest, browseRequest] = seen.slice(before);
    // The strings of OpenAPI 3.0.3 §4.7.12.5's style examples, for the fixture's sample values.
    expect(shelfRequest?.url.pathname).toBe(
      "/shelves/.LON/;shelf=1/00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000002",
    );
    expect(browseRequest?.url.search).toBe(
      "?keywords=dragons,islands&authors=LeGuin%20Tolkien&genres=fiction|history" +
        "&published[from]=1968&published[to]=1972",
    );
    expect(browseRequest?.headers["x-branches"]).toBe("LON,PAR");
    expect(browseRequest?.headers.cookie).toBe("patron=P0042; recent=3,7");
    expect([shelfRequest?.violations, browseRequest?.violations]).toEqual([[], []]);
  });

  it("the validating server refuses a styled parameter sent in the default style", async () => {
    // What sessions sent before they read style and explode: the test server must see it.
    const response = await fetch(
      `${api.url}/shelves/LON/1/00000000-0000-4000-8000-000000000001?x=1`,
      { headers: { authorization: "Bearer t" } },
    );
    expect(response.status).toBe(400);
    const violations = seen.at(-1)?.violations.join("; ");
    expect(violations).toContain("path parameter branch not in its style: LON");
    expect(violations).toContain("path parameter shelf not in its style: 1");
  });

  describe("argument errors: exit 2, nothing sent, no password asked", () => {
    const cases: Array<[string, string[], RegExp]> = [
      [
        "unknown parameter, with a did-you-mean",
        ["getBook", "-p", "bookid=x"],
        /no parameter "bookid"; did you mean bookId\?/,
      ],
      ["missing required parameter", ["getBook"], /getBook needs -p bookId=… \(path\)/],
      ["missing required header", ["listMembers"], /needs -p X-Branch=… \(header\)/],
      ["wrong format", ["getBook", "-p", "bookId=not-a-uuid"], /bookId must match format "uuid"/],
      [
        "not in the enum",
        ["listMembers", "-p", "X-Branch=LON", "-p", "status=gone"],
        /query parameter status must be one of: active, suspended, closed/,
      ],
      [
        "enum of an array item",
        ["listBooks", "-p", "genre=cooking"],
        /genre.0 must be one of: fiction/,
      ],
      ["not an integer", ["getLoan", "-p", "loanId=abc"], /loanId must be a whole number/],
      ["not a boolean", ["listBooks", "-p", "available=yes"], /available must be true or false/],
      [
        "a scalar given twice",
        ["listAuthors", "-p", "name=a", "-p", "name=b"],
        /name takes one value/,
      ],
      ["missing required body", ["createAuthor"], /needs a request body/],
      [
        "body breaking its schema",
        ["createAuthor", "--body", '{"born":"1929-10-21"}'],
        /request body field name is required/,
      ],
      ["body that is not JSON", ["createAuthor", "--body", "{name:"], /not JSON/],
      ["body for an operation without one", ["getStatus", "--body", "{}"], /takes no request body/],
      [
        "unknown operation, with a did-you-mean",
        ["getBooks"],
        /no operation "getBooks"; did you mean getBook\?/,
      ],
      ["-p without =", ["getBook", "-p", "bookId"], /-p takes NAME=VALUE/],
      ["bad --query", ["getStatus", "--query", "foo["], /--query is not a JMESPath expression/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const before = api.apiRequests;
        const issued = api.issued.length;
        const result = await runCli(["api", "--spec", specPath, ...args], {
          // No password anywhere: a prompt or a grant would fail differently.
          env: { ...env(), MSX_PASSWORD: "" },
        });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(api.apiRequests).toBe(before);
        expect(api.issued.length).toBe(issued);
      });
    }
  });

  it("--list lists every operation with method, path and summary", async () => {
    const result = await cli(["--list"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(operations.length);
    expect(lines).toContainEqual(
      expect.stringMatching(/^getBook\s+GET\s+\/books\/\{bookId\}\s+One book$/),
    );
  });

  it("OPERATION_ID --help shows parameters and the body schema", async () => {
    const result = await cli(["createReview", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("createReview: POST /books/{bookId}/reviews");
    expect(result.stdout).toMatch(/bookId\s+path\s+string \(uuid\)\s+required/);
    expect(result.stdout).toContain("Body (--body, required), JSON schema:");
    expect(result.stdout).toContain('"rating"');
    const books = await cli(["listBooks", "--help"]);
    expect(books.stdout).toMatch(
      /genre\s+query\s+array of string \[fiction\|history\|science\|poetry\]\s+optional\s+Any of these genres/,
    );
    expect(books.stdout).toMatch(/X-Request-Id\s+header\s+string \(uuid\)\s+optional/);
  });

  it("METHOD PATH: a template, a literal path the spec describes, and one it lacks", async () => {
    const id = "00000000-0000-4000-8000-000000000001";
    const before = seen.length;
    const template = await cli(["GET", "/books/{bookId}", "-p", `bookId=${id}`]);
    const literal = await cli(["get", `/books/${id}`]);
    const checked = await cli(["GET", "/books/not-a-uuid"]);
    expect([template.code, literal.code], template.stderr + literal.stderr).toEqual([0, 0]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/format "uuid"/);
    override = (request, response) => {
      if (request.url.pathname !== "/internal/stats") return false;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ books: 3, query: request.url.search }));
      return true;
    };
    try {
      const raw = await cli(["GET", "/internal/{kind}", "-p", "kind=stats", "-p", "since=2024"]);
      expect(raw.code, raw.stderr).toBe(0);
      expect(JSON.parse(raw.stdout)).toEqual({ books: 3, query: "?since=2024" });
      const last = seen.at(-1);
      expect(last?.authorization).toMatch(/^Bearer /);
    } finally {
      override = undefined;
    }
    expect(seen.slice(before, before + 2).map((s) => s.url.pathname)).toEqual([
      `/books/${id}`,
      `/books/${id}`,
    ]);
  });

  it("METHOD PATH: a literal path is read back in its parameters' styles (label, matrix, array)", async () => {
    const ids = "00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000002";
    const literal = `/shelves/.LON/;shelf=2/${ids}`;
    const before = seen.length;
    const result = await cli(["GET", literal]);
    expect(result.code, result.stderr).toBe(0);
    expect(seen.slice(before).map((s) => [s.url.pathname, s.violations])).toEqual([[literal, []]]);
    const unstyled = await cli(["GET", `/shelves/LON/2/${ids}`]);
    expect(unstyled.code).toBe(2);
    expect(unstyled.stderr).toContain('"LON" is no label value for branch (written .VALUE)');
    expect(seen.length).toBe(before + 1);
  });

  it("an HTTP error answer exits 4 with the status, the body not printed raw", async () => {
    override = (request, response) => {
      if (!request.url.pathname.startsWith("/authors/")) return false;
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ title: "no such author\u001b]0;pwned\u0007" }));
      return true;
    };
    try {
      const result = await cli([
        "getAuthor",
        "-p",
        "authorId=00000000-0000-4000-8000-000000000009",
      ]);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain("404");
      expect(result.stderr).not.toContain("\u001b");
    } finally {
      override = undefined;
    }
  });
});

describe("security: [] operations need no credentials at all", { timeout: 120_000 }, () => {
  const anonymous = (args: string[], extra: Record<string, string> = {}) =>
    runCli(["api", "--spec", specPath, ...args], { env: { MSX_BASE_URL: api.url, ...extra } });

  it("calls one with MSX_BASE_URL alone: nothing asked, no token requested or sent", async () => {
    const [issued, before] = [api.issued.length, seen.length];
    const result = await anonymous(["getStatus"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"status":"up","version":"string"}\n');
    expect(result.stderr).toBe("");
    expect(seen.slice(before)).toMatchObject([
      { operationId: "getStatus", authorization: "", violations: [] },
    ]);
    expect(api.issued.length).toBe(issued);
  });

  it("ignores a half-configured client: no secret, no password, nothing to prompt on", async () => {
    const [issued, before] = [api.issued.length, seen.length];
    const result = await anonymous(["listBranches"], {
      MSX_CLIENT_ID: hostileCredentials.clientId,
      MSX_USERNAME: hostileCredentials.username,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(seen.slice(before)).toMatchObject([{ operationId: "listBranches", authorization: "" }]);
    expect(api.issued.length).toBe(issued);
  });

  it("still requires the sign-in settings for an operation that needs a token (exit 2, nothing sent)", async () => {
    const before = seen.length;
    const result = await anonymous(["listBooks"]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("MSX_CLIENT_ID is not set");
    expect(seen.length).toBe(before);
  });
});
