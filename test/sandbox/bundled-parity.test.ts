import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type CliProcess, startCli } from "../cli/run-cli.js";
import { type RawRequest, rawRequest } from "./support/raw-http.js";

// The bundler can change behaviour (it once dropped a `decodeURIComponent` kept only for its
// throw, turning a 400 into a 500), so hostile requests go to both the library sandbox and the
// one in the built `passgrant` executable, and must get the same answers.
const form = { "content-type": "application/x-www-form-urlencoded" };
const HOSTILE: ReadonlyArray<{ request: RawRequest; status: number }> = [
  { request: { path: "/idm/api/v8/tenants/%ff%fe" }, status: 400 },
  { request: { path: "/idm/api/v8/tenants/%c0%af" }, status: 400 },
  { request: { path: "/idm/api/v8/tenants/%" }, status: 400 },
  { request: { path: "/idm/api/v8/tenants/externalId/%E0%A4%A" }, status: 400 },
  { request: { method: "DELETE", path: "/idm/api/v8/tenants/%ff" }, status: 400 },
  { request: { path: "/idm/api/v8/tenants/%2e%2e%2f%2e%2e%2fetc" }, status: 401 },
  { request: { path: "/idm/api/v8/tenants?page=-1&pageSize=1" }, status: 401 },
  { request: { path: "/../../etc/passwd" }, status: 404 },
  { request: { method: "DELETE", path: "/idm/v2/token" }, status: 405 },
  {
    request: { method: "POST", path: "/idm/v2/token", headers: form, body: "grant_type=%ff" },
    status: 401,
  },
  {
    request: { method: "POST", path: "/__sandbox/faults", body: '{"status":503}' },
    status: 415,
  },
  {
    request: { path: "/__sandbox/stats", headers: { host: "rebound.example" } },
    status: 403,
  },
];

let library: Sandbox;
let cli: CliProcess;
let bundledUrl: string;

beforeAll(async () => {
  library = await startSandbox();
  cli = startCli(["sandbox", "--port", "0", "--json"]);
  const [line] = await cli.waitForStdout(/^\{.*\}\n/);
  bundledUrl = JSON.parse(line).url;
}, 60_000);
afterAll(async () => {
  await library.close();
  cli.child.kill("SIGTERM");
  await cli.result;
});

describe("the sandbox in the built executable answers hostile requests as the library does", () => {
  it.each(HOSTILE)("$request.path ($request.method) => $status", async ({ request, status }) => {
    const fromLibrary = await rawRequest(library.url, request);
    const fromBundle = await rawRequest(bundledUrl, request);
    expect(fromLibrary.status).toBe(status);
    // The same answer, but for the port, which messages may name.
    const comparable = (answer: { status: number; body: string }, url: string) => ({
      status: answer.status,
      body: JSON.parse(answer.body.replaceAll(new URL(url).port, "PORT")),
    });
    expect(comparable(fromBundle, bundledUrl)).toEqual(comparable(fromLibrary, library.url));
  });
});
