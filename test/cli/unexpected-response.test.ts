import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  bearerAuth,
  createMsxClient,
  createTokenProvider,
  createTransport,
  UnexpectedResponseError,
} from "../../src/index.js";
import {
  type ApiRequest,
  type HostileApi,
  hostileCredentials,
  hostileEnv,
  sendJson,
  startHostileApi,
} from "./hostile-api.js";
import { runCli } from "./run-cli.js";

/**
 * 2xx answers that are not what the API promises: invalid JSON (with and without a
 * Content-Length, which openapi-fetch parses by different paths), an SSO login page, JSON of
 * the wrong shape (after a redirect). Each is a typed UnexpectedResponseError, exit 4, no stack.
 */
let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

type Answer = (request: ApiRequest, response: ServerResponse) => void;

const answers: Record<string, { answer: Answer; expected: RegExp }> = {
  "invalid JSON with a Content-Length": {
    answer: (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"contents": [{"id": "a", "na');
    },
    expected:
      /answered HTTP 200 \(application\/json\) with a body that is not valid JSON: \{"contents"/,
  },
  "invalid JSON, chunked": {
    answer: (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{not json");
      response.end();
    },
    expected: /with a body that is not valid JSON: \{not json/,
  },
  "an HTML login page echoing the token": {
    answer: (request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(
        `<!doctype html><html><body>Sign in. Session ${request.authorization.slice(7)}</body></html>`,
      );
    },
    expected:
      /\(text\/html; charset=utf-8\) with an HTML page instead of JSON: <!doctype html>.*Session \[REDACTED\].*login page/,
  },
  "JSON of the wrong shape after a redirect": {
    answer: (request, response) => {
      if (request.url.pathname !== "/login") {
        response.writeHead(302, { location: "/login" }).end();
      } else {
        sendJson(response, 200, { login: "required" });
      }
    },
    expected: /JSON of the wrong shape \(.*\): \{"login":"required"\}/,
  },
};

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("a 2xx that is not the expected JSON", { timeout: 60_000 }, () => {
  for (const [name, { answer, expected }] of Object.entries(answers)) {
    for (const args of [
      ["tenants", "list"],
      ["tenants", "get", "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03"],
    ]) {
      it(`${args.slice(0, 2).join(" ")}: ${name} exits 4 with a typed error`, async () => {
        api = await startHostileApi(answer);
        const result = await runCli(args, { env: hostileEnv(api) });
        expect(result.code, result.stderr).toBe(4);
        expect(result.stderr).toMatch(expected);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(result.stderr).not.toContain("likely a bug");
        for (const token of api.issued) expect(result.stderr).not.toContain(token);
      });
    }
  }

  it("a tenant page whose contents is not an array", async () => {
    api = await startHostileApi((_request, response) =>
      sendJson(response, 200, { page: 0, hasNext: false, contents: { id: "x" } }),
    );
    const result = await runCli(["tenants", "list", "--all"], { env: hostileEnv(api) });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain("JSON of the wrong shape (contents is not an array)");
  });

  it("library users get the typed error from the client, redacted", async () => {
    api = await startHostileApi(answers["an HTML login page echoing the token"]?.answer as Answer);
    const transport = createTransport();
    const provider = createTokenProvider({
      tokenUrl: `${api.url}/idm/v2/token`,
      clientId: hostileCredentials.clientId,
      clientSecret: hostileCredentials.clientSecret,
      grant: {
        type: "password",
        username: hostileCredentials.username,
        password: hostileCredentials.password,
      },
      fetch: transport.fetch,
    });
    const client = createMsxClient({
      baseUrl: api.url,
      fetch: transport.fetch,
      middleware: [bearerAuth(provider)],
    });
    const error = await client
      .GET("/idm/api/v8/tenants", { params: { query: { page: 0, pageSize: 10 } } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({
      code: "ERR_UNEXPECTED_RESPONSE",
      method: "GET",
      status: 200,
      contentType: "text/html; charset=utf-8",
      problem: "an HTML page instead of JSON",
    });
    expect((error as UnexpectedResponseError).url).toBe(
      `${api.url}/idm/api/v8/tenants?page=0&pageSize=10`,
    );
    expect((error as UnexpectedResponseError).excerpt).toContain("Session [REDACTED]");
    for (const token of api.issued) {
      expect((error as UnexpectedResponseError).message).not.toContain(token);
    }
    await transport.close();
  });
});
