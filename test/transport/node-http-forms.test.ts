import { execFile } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AbortedError,
  createTokenProvider,
  createTransport,
  InsecureTransportError,
  NetworkError,
  ResponseTooLargeError,
  TimeoutError,
  TlsError,
  TokenEndpointHttpError,
  type TokenProviderOptions,
  type TransportOptions,
} from "../../src/index.js";
import { makeCertificates, type TestCertificates } from "./certificates.js";
import { json, type LocalServer, startServer } from "./local-server.js";

// `formsOverNodeHttp`: the token provider's form posts over node:http(s) instead of fetch (what
// the CLI does, so that `passgrant token` never loads Node's fetch). Every guarantee the fetch
// path has is checked here again, against real servers on 127.0.0.1.

const TOKEN = { access_token: "node-http-token", token_type: "Bearer", expires_in: 600 };
const PASSWORD = "node-http-password";

function tokenFrom(
  url: string,
  options: TransportOptions = {},
  provider: Partial<TokenProviderOptions> = {},
) {
  const transport = createTransport({ formsOverNodeHttp: true, onWarning: () => {}, ...options });
  return createTokenProvider({
    tokenUrl: `${url}/token`,
    clientId: "node-http-client",
    clientSecret: "node-http-secret",
    grant: { type: "password", username: "alice", password: PASSWORD },
    fetch: transport.fetch,
    ...provider,
  })
    .getToken()
    .finally(() => transport.close());
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("form posts over node:http", () => {
  it("sends the grant as fetch would: form body, Basic client header, no redirect followed", async () => {
    server = await startServer((_request, _body, response) => json(response, 200, TOKEN));
    const token = await tokenFrom(server.url);
    expect(token.accessToken).toBe("node-http-token");
    const [seen] = server.seen;
    expect(seen?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(seen?.headers.authorization).toMatch(/^Basic /);
    expect(new URLSearchParams(seen?.body).get("password")).toBe(PASSWORD);

    let hops = 0;
    const redirecting = await startServer((_request, _body, response) => {
      hops++;
      response.writeHead(307, { Location: "http://127.0.0.1:9/elsewhere" });
      response.end();
    });
    const error = await tokenFrom(redirecting.url).catch((e: unknown) => e);
    await redirecting.close();
    expect(error).toBeInstanceOf(TokenEndpointHttpError);
    expect((error as TokenEndpointHttpError).status).toBe(307);
    expect(hops).toBe(1);
  });

  it("reads a gzip body, and caps it after decompression", async () => {
    server = await startServer((request, _body, response) => {
      const body = request.url?.includes("big")
        ? gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20))
        : gzipSync(JSON.stringify(TOKEN));
      response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      response.end(body);
    });
    expect((await tokenFrom(server.url)).accessToken).toBe("node-http-token");
    const tooLarge = await tokenFrom(`${server.url}/big`, { maxResponseBytes: 64 * 1024 }).catch(
      (e: unknown) => e,
    );
    expect(tooLarge).toBeInstanceOf(ResponseTooLargeError);
  });

  it("stops reading an endless body at the token response cap and closes the connection", async () => {
    let written = 0;
    let closed = false;
    server = await startServer((_request, _body, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!closed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
      };
      response.on("close", () => {
        closed = true;
      });
      pump();
    });
    const error = await tokenFrom(server.url).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/larger than 1048576 bytes/);
    await expect.poll(() => closed).toBe(true);
    // The 1 MiB cap plus what sat in socket buffers: nowhere near the 512 MiB offered.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it("keeps one deadline over the headers and over a body that stops arriving", async () => {
    server = await startServer((request, _body, response) => {
      if (request.url?.includes("slow-body")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.write('{"access_token":');
      }
      // else: never answers
    });
    for (const path of ["", "/slow-body"]) {
      const started = performance.now();
      const error = await tokenFrom(`${server.url}${path}`, { timeoutMs: 300 }).catch(
        (e: unknown) => e,
      );
      expect(error, path).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });

  it("reports a connection closed mid-body as a network failure, and each answer to onResponse", async () => {
    server = await startServer((_request, _body, response) => {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      response.write('{"access_token":"cut-off');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const answers: string[] = [];
    const error = await tokenFrom(server.url, {
      onResponse: ({ method, url, status }) => answers.push(`${method} ${url} ${status}`),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).not.toContain(PASSWORD);
    expect(answers).toEqual([`POST ${server.url}/token 200`]);
  });

  it("stops at once when the caller aborts", async () => {
    server = await startServer(() => {});
    const controller = new AbortController();
    // The device authorization request is the form post a caller's signal reaches.
    const pending = tokenFrom(
      server.url,
      {},
      {
        deviceAuthorizationUrl: `${server.url}/device`,
        grant: { type: "device_code", signal: controller.signal },
      },
    ).catch((e: unknown) => e);
    await expect.poll(() => server?.seen.length).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
  });

  it("retries a post that never left (connection refused), and says so", async () => {
    const port = await freePort();
    const retries: number[] = [];
    const error = await tokenFrom(`http://127.0.0.1:${port}`, {
      retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 1 },
      onRetry: (event) => retries.push(event.retry),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).causeCode).toBe("ECONNREFUSED");
    expect(retries).toEqual([1, 2]);
  });

  it("leaves a post a proxy applies to to fetch, through the proxy", async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on("connect", (request, socket) => {
      tunnels.push(request.url ?? "");
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
    const { port } = proxy.address() as { port: number };
    const error = await tokenFrom(
      "https://msx.example.test",
      { proxy: `http://127.0.0.1:${port}`, retry: false },
      {},
    ).catch((e: unknown) => e);
    proxy.close();
    expect(error).toBeInstanceOf(NetworkError);
    expect(tunnels).toEqual(["msx.example.test:443"]);
  });

  it("refuses credentials over plain http:// off this machine before connecting", async () => {
    // The provider allows it, the transport does not: the transport's own check is the one seen.
    const error = await tokenFrom("http://msx.example.test", {}, { allowInsecureHttp: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InsecureTransportError);
  });
});

describe("form posts over node:https", () => {
  let certificates: TestCertificates;
  beforeAll(() => {
    certificates = makeCertificates();
  });
  afterAll(() => certificates.cleanup());

  const tlsServer = () =>
    startServer((_request, _body, response) => json(response, 200, TOKEN), {
      key: certificates.key,
      cert: certificates.cert,
    });

  it("verifies the certificate by default", async () => {
    server = await tlsServer();
    const error = await tokenFrom(server.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(server.seen).toHaveLength(0);
  });

  it("trusts the caFile's CA, and skips verification only with insecureTls", async () => {
    server = await tlsServer();
    expect((await tokenFrom(server.url, { caFile: certificates.caFile })).accessToken).toBe(
      "node-http-token",
    );
    expect((await tokenFrom(server.url, { insecureTls: true })).accessToken).toBe(
      "node-http-token",
    );
    expect(server.seen).toHaveLength(2);
  });
});

describe("a process that only gets a token", () => {
  it("never loads Node's fetch", async () => {
    server = await startServer((_request, _body, response) => json(response, 200, TOKEN));
    const entry = resolve(import.meta.dirname, "../../dist/lib/index.js");
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--input-type=module",
      "-e",
      `
      const { createTokenProvider, createTransport } = await import(${JSON.stringify(entry)});
      const transport = createTransport({ formsOverNodeHttp: true });
      const provider = createTokenProvider({
        tokenUrl: ${JSON.stringify(`${server.url}/token`)},
        clientId: "c", clientSecret: "s",
        grant: { type: "password", username: "u", password: "p" },
        fetch: transport.fetch,
      });
      const token = await provider.getAccessToken();
      const fetchLoaded = process.moduleLoadList.some((m) => m.includes("undici"));
      console.log(JSON.stringify({ token, fetchLoaded }));
      `,
    ]);
    expect(JSON.parse(stdout)).toEqual({ token: "node-http-token", fetchLoaded: false });
  });
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}
