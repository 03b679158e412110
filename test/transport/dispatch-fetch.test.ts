import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isNodeFetch } from "../../src/transport/dispatch-fetch.js";
import { NetworkError } from "../../src/transport/errors.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { json, type LocalServer, startServer } from "./local-server.js";

// While globalThis.fetch is Node's own, the transport sends through undici's dispatcher and builds
// the Response itself (src/transport/dispatch-fetch.ts). These tests hold it to what fetch does.

let transport: Transport | undefined;
const servers: LocalServer[] = [];

afterEach(async () => {
  vi.unstubAllGlobals();
  await transport?.close();
  transport = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** Replaces globalThis.fetch as nock or msw would: the transport then goes through fetch. */
function replaceFetch(): void {
  const nodeFetch = globalThis.fetch;
  vi.stubGlobal("fetch", (...args: Parameters<typeof fetch>) => nodeFetch(...args));
}

function redirectTo(response: ServerResponse, status: number, location: string): void {
  response.writeHead(status, { location, "content-type": "text/plain" });
  response.end(`see ${location}`);
}

describe("requests sent straight to undici's dispatcher", () => {
  it("is the path taken here: Node's own fetch is recognised, a replacement is not", () => {
    expect(isNodeFetch(globalThis.fetch)).toBe(true);
    expect(isNodeFetch((...args: Parameters<typeof fetch>) => globalThis.fetch(...args))).toBe(
      false,
    );
    expect(isNodeFetch(undefined)).toBe(false);
  });

  it("sends the server what fetch sends: the same headers and body, GET and POST", async () => {
    const server = await serve((_request, _body, response) => json(response, 200, {}));
    transport = createTransport();
    const send = async () => {
      await transport?.fetch(
        new Request(`${server.url}/a`, { headers: { authorization: "Bearer t", "x-trace": "1" } }),
      );
      const posted = await transport?.fetch(
        new Request(`${server.url}/b`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"name":"Dandelion"}',
        }),
      );
      await posted?.json();
      await transport?.fetch(new Request(`${server.url}/c`, { method: "POST" }));
    };
    await send();
    replaceFetch();
    await send();
    const [getDirect, postDirect, emptyDirect, getFetch, postFetch, emptyFetch] = server.seen;
    expect(getDirect?.headers).toEqual(getFetch?.headers);
    expect(postDirect?.headers).toEqual(postFetch?.headers);
    expect(emptyDirect?.headers).toEqual(emptyFetch?.headers);
    expect(postDirect?.body).toBe('{"name":"Dandelion"}');
    expect(postDirect?.headers["content-length"]).toBe("20");
    expect(emptyDirect?.headers["content-length"]).toBe("0");
    expect(getDirect?.headers["accept-encoding"]).toBe("gzip, deflate");
  });

  it("decodes gzip, deflate and br bodies, keeping Content-Encoding, as fetch does", async () => {
    const text = JSON.stringify({ contents: Array.from({ length: 50 }, (_, id) => ({ id })) });
    const encoders: Record<string, (input: string) => Buffer> = {
      gzip: (input) => gzipSync(input),
      deflate: (input) => deflateSync(input),
      br: (input) => brotliCompressSync(input),
    };
    const server = await serve((request, _body, response) => {
      const coding = (request.url ?? "").slice(1);
      const encode = encoders[coding];
      response.writeHead(200, { "content-type": "application/json", "content-encoding": coding });
      response.end(encode ? encode(text) : text);
    });
    transport = createTransport();
    for (const coding of Object.keys(encoders)) {
      const response = await transport.fetch(new Request(`${server.url}/${coding}`));
      expect(response.headers.get("content-encoding")).toBe(coding);
      expect(await response.text()).toBe(text);
    }
  });

  it("follows a same-origin redirect with its Authorization; url and redirected say where it ended", async () => {
    const server = await serve((request, _body, response) => {
      if (request.url === "/old") redirectTo(response, 301, "/new?page=2");
      else json(response, 200, { at: request.url });
    });
    transport = createTransport();
    const response = await transport.fetch(
      new Request(`${server.url}/old`, { headers: { authorization: "Bearer t" } }),
    );
    expect(await response.json()).toEqual({ at: "/new?page=2" });
    expect(response.url).toBe(`${server.url}/new?page=2`);
    expect(response.redirected).toBe(true);
    expect(server.seen[1]?.headers.authorization).toBe("Bearer t");
  });

  it("drops Authorization and Cookie on a redirect to another origin", async () => {
    const other = await serve((_request, _body, response) => json(response, 200, {}));
    const server = await serve((_request, _body, response) =>
      redirectTo(response, 302, `${other.url}/elsewhere`),
    );
    transport = createTransport();
    const response = await transport.fetch(
      new Request(`${server.url}/`, { headers: { authorization: "Bearer t", cookie: "s=1" } }),
    );
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${other.url}/elsewhere`);
    expect(other.seen[0]?.headers.authorization).toBeUndefined();
    expect(other.seen[0]?.headers.cookie).toBeUndefined();
  });

  it("turns a POST answered 303 or 302 into a GET without a body; 307 sends both again", async () => {
    const server = await serve((request, _body, response) => {
      const status = Number((request.url ?? "").slice(1));
      if (status) redirectTo(response, status, "/done");
      else json(response, 200, {});
    });
    transport = createTransport();
    for (const status of [303, 302, 307]) {
      const response = await transport.fetch(
        new Request(`${server.url}/${status}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
      );
      expect(response.status).toBe(200);
    }
    const hops = server.seen.filter((seen) => seen.path === "/done");
    expect(hops.map((hop) => [hop.method, hop.body, hop.headers["content-type"]])).toEqual([
      ["GET", "", undefined],
      ["GET", "", undefined],
      ["POST", "{}", "application/json"],
    ]);
  });

  it("hands back the 3xx itself with redirect: manual, and fails with error or after 20", async () => {
    const server = await serve((request, _body, response) => {
      const hop = Number((request.url ?? "").slice(1));
      redirectTo(response, 302, `/${hop + 1}`);
    });
    transport = createTransport();
    const manual = await transport.fetch(new Request(`${server.url}/0`, { redirect: "manual" }));
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe("/1");
    expect(await manual.text()).toBe("see /1");

    const refused = await transport
      .fetch(new Request(`${server.url}/0`, { redirect: "error" }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(NetworkError);
    expect((refused as Error).message).toMatch(/unexpected redirect/);

    const endless = await transport
      .fetch(new Request(`${server.url}/0`))
      .catch((error: unknown) => error);
    expect(endless).toBeInstanceOf(NetworkError);
    expect((endless as Error).message).toMatch(/redirect count exceeded/);
    // The first request and 20 redirects followed, as the Fetch standard allows.
    expect(server.seen.filter((seen) => seen.path !== "/0").length).toBeGreaterThanOrEqual(20);
  });

  it("keeps the connection after an unread small body and a 204; a HEAD has no body", async () => {
    const server = createServer((request, response) => {
      if (request.url === "/empty") {
        response.writeHead(204);
        response.end();
      } else json(response, 200, { filler: "x".repeat(1000) });
    });
    let connections = 0;
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      transport = createTransport();
      for (const [method, path] of [
        ["GET", "/unread"],
        ["GET", "/empty"],
        ["GET", "/last"],
        // undici closes the connection after a HEAD (a server may send a body anyway): last.
        ["HEAD", "/head"],
      ] as const) {
        const response = await transport.fetch(new Request(`${url}${path}`, { method }));
        if (path !== "/unread" && path !== "/last") expect(response.body).toBeNull();
        // Give an unread body time to arrive and its exchange to complete.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("closes the connection when the body is cancelled, and reading past timeoutMs fails with TimeoutError", async () => {
    let closed = 0;
    const server = await serve((request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("[");
      response.on("close", () => closed++);
      // /stall never sends more; /cancel neither, until the client goes away.
      void request;
    });
    transport = createTransport({ timeoutMs: 300 });
    const cancelled = await transport.fetch(new Request(`${server.url}/cancel`));
    await cancelled.body?.cancel();
    await vi.waitFor(() => expect(closed).toBe(1));

    const stalled = await transport.fetch(new Request(`${server.url}/stall`));
    const error = await stalled.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    await vi.waitFor(() => expect(closed).toBe(2));
  });

  it("fails the body's reader when the caller aborts while it arrives", async () => {
    const server = await serve((_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("[");
    });
    transport = createTransport();
    const controller = new AbortController();
    const response = await transport.fetch(
      new Request(`${server.url}/`, { signal: controller.signal }),
    );
    const reading = response.text().catch((e: unknown) => e);
    controller.abort();
    expect(((await reading) as Error).name).toBe("AbortError");
  });
});
