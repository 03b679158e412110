import { afterEach, describe, expect, it } from "vitest";
import { NetworkError } from "../../src/transport/errors.js";
import { TlsError } from "../../src/transport/tls-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { json, type LocalServer, startServer } from "./local-server.js";

let transport: Transport | undefined;
let server: LocalServer | undefined;

afterEach(async () => {
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

  it("explains fetch's blocked ports (6000) instead of a bare 'bad port.'", async () => {
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
    transport = createTransport();
    const error = await transport
      .fetch(new Request("http://127.0.0.1:1/"))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/port 1 is blocked.*another port/s);
  });
});
