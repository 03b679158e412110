import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NetworkError } from "../../src/transport/errors.js";
import { TlsError } from "../../src/transport/tls-error.js";
import {
  createTransport,
  INSECURE_TLS_WARNING,
  type Transport,
} from "../../src/transport/transport.js";
import { makeCertificates, type TestCertificates } from "./certificates.js";
import { json, type LocalServer, startServer } from "./local-server.js";

// A real HTTPS server on 127.0.0.1 with a certificate from a CA made at test time (no nock).
let certs: TestCertificates;
let server: LocalServer;

beforeAll(async () => {
  certs = makeCertificates();
  server = await startServer((_request, _body, response) => json(response, 200, { ok: true }), {
    key: certs.key,
    cert: certs.cert,
  });
});
afterAll(async () => {
  await server?.close();
  certs?.cleanup();
});

let transport: Transport;
afterEach(() => transport?.close());

const ping = (t: Transport, url = `${server.url}/ping`) => t.fetch(new Request(url));

describe("TLS verification", () => {
  it("is on by default: an unknown CA fails with a TlsError that points at caFile", async () => {
    transport = createTransport();
    const error = await ping(transport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe("ERR_TLS");
    expect((error as TlsError).causeCode).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|ISSUER/,
    );
    expect((error as Error).message).toMatch(/pass its PEM file as `caFile`/);
  });

  it("passes with caFile naming the CA's PEM", async () => {
    transport = createTransport({ caFile: certs.caFile });
    const response = await ping(transport);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("passes with the CA given as PEM text", async () => {
    transport = createTransport({ ca: certs.caPem });
    expect((await ping(transport)).status).toBe(200);
  });

  it("keeps the public roots next to a custom CA (added, not replaced)", async () => {
    // A server certificate the custom CA did not sign still fails: the CA was added to the
    // default trust, and verification still happens.
    const other = makeCertificates();
    try {
      transport = createTransport({ caFile: other.caFile });
      await expect(ping(transport)).rejects.toBeInstanceOf(TlsError);
    } finally {
      other.cleanup();
    }
  });

  it("insecureTls affects passgrant's transport only, never the process", async () => {
    const warnings: string[] = [];
    transport = createTransport({ insecureTls: true, onWarning: (m) => warnings.push(m) });
    expect((await ping(transport)).status).toBe(200);
    expect(warnings).toEqual([INSECURE_TLS_WARNING]);

    // The same server through a plain global fetch still fails verification.
    const plain = await fetch(`${server.url}/ping`).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(TypeError);
    const cause = (plain as { cause?: { code?: string } }).cause;
    expect(cause?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|ISSUER/);
    // And a default transport still verifies.
    const strict = createTransport();
    await expect(ping(strict)).rejects.toBeInstanceOf(TlsError);
    await strict.close();
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
  });
});

describe("HTTPS through a proxy", () => {
  const PROXY_USER = "proxy-user";
  const PROXY_PASSWORD = "proxy-p@ss";
  const PROXY_AUTHORIZATION = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString("base64")}`;
  let proxy: Server;
  let proxyUrl: string;
  const connects: string[] = [];

  beforeAll(async () => {
    // A minimal CONNECT proxy (RFC 9110 §9.3.6) that tunnels every target to the test server.
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on("connect", (request, socket, head) => {
      connects.push(request.url ?? "");
      if (request.headers["proxy-authorization"] !== PROXY_AUTHORIZATION) {
        socket.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      const upstream = connect(server.port, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );

  it("tunnels through the proxy, verifying the origin with the custom CA", async () => {
    transport = createTransport({ proxy: proxyUrl, caFile: certs.caFile });
    const url = `https://msx.example.test:${server.port}/ping`;
    const response = await ping(transport, url);
    expect(await response.json()).toEqual({ ok: true });
    expect(connects).toContain(`msx.example.test:${server.port}`);
  });

  it("takes the proxy and its credentials from HTTPS_PROXY by default", async () => {
    vi.stubEnv("HTTPS_PROXY", proxyUrl);
    try {
      transport = createTransport({ caFile: certs.caFile });
      const before = connects.length;
      const response = await ping(transport, `https://msx.example.test:${server.port}/ping`);
      expect(await response.json()).toEqual({ ok: true });
      expect(connects.slice(before)).toEqual([`msx.example.test:${server.port}`]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("says the proxy wants credentials when it answers 407", async () => {
    transport = createTransport({ proxy: proxyUrl.replace(/\/\/[^@]+@/, "//") });
    const error = await ping(transport, `https://msx.example.test:${server.port}/ping`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/proxy asks for credentials.*HTTPS_PROXY/);
  });

  it("still verifies TLS through the proxy", async () => {
    transport = createTransport({ proxy: proxyUrl });
    const url = `https://msx.example.test:${server.port}/ping`;
    await expect(ping(transport, url)).rejects.toBeInstanceOf(TlsError);
  });
});
