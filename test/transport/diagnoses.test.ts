import { afterEach, describe, expect, it, vi } from "vitest";
import { NetworkError } from "../../src/transport/errors.js";
import { TlsError } from "../../src/transport/tls-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { json, type LocalServer, startServer } from "./local-server.js";

let transport: Transport | undefined;
let server: LocalServer | undefined;

afterEach(async () => {
  vi.unstubAllGlobals();
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

describe("diagnoses of misdirected requests", () => {
  it("says a plain-HTTP port does not speak TLS, instead of advising a CA file", async () => {
    server = await startServer((_request, _body, response) => json(response, 200, {}));
    transport = createTransport();
    const error = await transport
      .fetch(new Request(`https://127.0.0.1:${server.port}/idm/api/v8/tenants`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    const message = (error as Error).message;
    expect(message).toMatch(/not speaking TLS/);
    expect(message).toMatch(/use http:\/\/|check the port/);
    expect(message).not.toMatch(
      /caFile|MSX_CA_FILE|insecureTls|wrong version number|ssl3_get_record/,
    );
    expect((error as TlsError).causeCode).toBe("ERR_SSL_WRONG_VERSION_NUMBER");
  });

  // A replacement of globalThis.fetch (as nock or msw install) makes the transport go through
  // fetch, whose port blocking then applies.
  const throughReplacedFetch = () => {
    const nodeFetch = globalThis.fetch;
    vi.stubGlobal("fetch", (...args: Parameters<typeof fetch>) => nodeFetch(...args));
  };

  it("explains fetch's blocked ports (6000) instead of a bare 'bad port.'", async () => {
    throughReplacedFetch();
    transport = createTransport();
    const error = await transport
      .fetch(new Request("http://127.0.0.1:6000/idm/api/v8/tenants"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    const message = (error as Error).message;
    expect(message).toMatch(/port 6000 is blocked/);
    expect(message).toMatch(/refuses it for safety/);
    expect(message).toMatch(/blocked ports/);
    expect(message).toMatch(/another port/);
  });

  it("explains port 1 the same way", async () => {
    throughReplacedFetch();
    transport = createTransport();
    const error = await transport
      .fetch(new Request("http://127.0.0.1:1/"))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/port 1 is blocked.*another port/s);
  });

  it("connects to a port fetch blocks when it sends the request itself (Node's own fetch)", async () => {
    transport = createTransport({ retry: false });
    const error = await transport
      .fetch(new Request("http://127.0.0.1:1/"))
      .catch((e: unknown) => e);
    // Nothing listens on port 1: the connection was tried, not refused by a port list.
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).causeCode).toBe("ECONNREFUSED");
  });
});
