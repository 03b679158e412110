/**
 * `passgrant api --spec` takes hand-written documents, defects included. Each defect here once
 * reached the user as an "unexpected error" (exit 1, a bug's message) or as ajv's raw console
 * warnings; now the table skips what it cannot read, the checks say which operation cannot be
 * checked (exit 2), and nothing of the document is printed raw. The built executable, against a
 * loopback server that counts what reaches it.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

let server: Server;
let requests = 0;
let baseUrl: string;
const dir = tempDir();

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    request.resume();
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A one-operation document `getA` (or `postA`) with `operation` spliced in. */
function spec(name: string, lines: string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      "openapi: 3.0.3",
      "info: { title: defects, version: '1' }",
      "paths:",
      "  /a:",
      ...lines,
      "",
    ].join("\n"),
  );
  return file;
}

const api = (args: string[]) =>
  runCli(["api", ...args], { env: { MSX_BASE_URL: baseUrl }, cwd: dir });

describe("passgrant api with a defective spec", { timeout: 60_000 }, () => {
  it("lists operations whose parameters or security are not lists", async () => {
    const file = spec("not-lists", [
      "    get:",
      "      operationId: getA",
      "      parameters: 7",
      "      security: [null]",
      "      responses: { '200': { description: ok } }",
    ]);
    const result = await api(["--spec", file, "--list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/getA\s+GET\s+\/a/);
    expect(result.stderr).not.toContain("unexpected error");
  });

  it("says which operation cannot be checked when its parameter $ref leads nowhere (exit 2, nothing sent)", async () => {
    const before = requests;
    const file = spec("ref-loop", [
      "    get:",
      "      operationId: getA",
      "      security: []",
      "      parameters: [{ $ref: '#/components/parameters/P' }]",
      "      responses: { '200': { description: ok } }",
      "components:",
      "  parameters:",
      "    P: { $ref: '#/components/parameters/P' }",
    ]);
    const result = await api(["--spec", file, "getA"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the OpenAPI document cannot check the arguments of getA");
    expect(result.stderr).not.toContain("unexpected error");
    expect(requests).toBe(before);
  });

  it("prints none of ajv's warnings about the document (an unknown format is ignored)", async () => {
    const file = spec("unknown-format", [
      "    post:",
      "      operationId: postA",
      "      security: []",
      "      requestBody:",
      "        content:",
      "          application/json:",
      "            schema: { type: object, properties: { x: { type: string, format: '\u001b[31mred' } } }",
      "      responses: { '200': { description: ok, content: { application/json: { schema: { type: object } } } } }",
    ]);
    const result = await api(["--spec", file, "postA", "--body", '{"x":"1"}']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("unknown format");
    expect(result.stderr).not.toContain("\u001b[31m");
  });
});
