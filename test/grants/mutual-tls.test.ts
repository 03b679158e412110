import { createHash, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, createTokenProvider, createTransport, OAuthError } from "../../src/index.js";
import { runCli } from "../cli/run-cli.js";
import {
  makeCertificates,
  makeClientCertificate,
  type TestCertificates,
  type TestClientCertificate,
} from "../transport/certificates.js";
import { type OidcServer, startOidcServer } from "./oidc-server.js";

const MTLS_CLIENT = "passgrant-mtls";
const SELF_SIGNED_CLIENT = "passgrant-self-signed";

let certs: TestCertificates;
let client: TestClientCertificate;
let stranger: TestClientCertificate;
let selfSigned: TestClientCertificate;
beforeAll(() => {
  certs = makeCertificates();
  client = makeClientCertificate(certs, "passgrant-mtls-client");
  stranger = makeClientCertificate(certs, "someone-else");
  selfSigned = makeClientCertificate(certs, "passgrant-self-signed", { selfSigned: true });
});
afterAll(() => certs?.cleanup());

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** What a server saw of the client's certificate on one request. */
interface Presented {
  path: string;
  authorization: string | undefined;
  /** The peer certificate's subject CN and thumbprint, or undefined when none was presented. */
  subject: string | undefined;
  thumbprint: string | undefined;
  authorized: boolean;
}

function peerOf(socket: TLSSocket): Pick<Presented, "subject" | "thumbprint" | "authorized"> {
  const peer = socket.getPeerX509Certificate();
  return {
    subject: peer?.subject,
    thumbprint: peer ? thumbprintOf(peer) : undefined,
    authorized: socket.authorized,
  };
}

/** RFC 8705 §3.1: base64url SHA-256 of the certificate's DER. */
function thumbprintOf(certificate: X509Certificate): string {
  return createHash("sha256").update(certificate.raw).digest("base64url");
}

/**
 * An https API on 127.0.0.1 that asks for a client certificate (RFC 8705 §3): it answers only a
 * bearer token bound to the certificate presented on this connection (`bound` maps tokens to the
 * thumbprint from their `cnf.x5t#S256`), 401 otherwise.
 */
async function startApi(bound: Map<string, string>) {
  const seen: Presented[] = [];
  const server: Server = createServer({
    key: certs.key,
    cert: certs.cert,
    ca: certs.caPem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on("request", (req, res) => {
    const peer = peerOf(req.socket as TLSSocket);
    const authorization = req.headers.authorization;
    seen.push({ path: req.url ?? "", authorization, ...peer });
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    const ok = peer.thumbprint !== undefined && bound.get(token) === peer.thumbprint;
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { ok: true } : { error: "invalid_token" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/**
 * oidc-provider over https with its mTLS features (RFC 8705): a client for `tls_client_auth`
 * (its certificate's subject registered), one for `self_signed_tls_client_auth` (its
 * certificate registered as `x5c`), both with certificate-bound access tokens.
 */
async function startMtlsServer(
  options: Pick<Parameters<typeof startOidcServer>[0] & {}, "prepare"> & {
    requestCert?: boolean;
  } = {},
): Promise<OidcServer> {
  const socketOf = (ctx: { req: { socket: unknown } }) => ctx.req.socket as TLSSocket;
  const server = await startOidcServer({
    ...(options.prepare ? { prepare: options.prepare } : {}),
    tls: {
      key: certs.key,
      cert: certs.cert,
      ca: certs.caPem,
      ...(options.requestCert === false ? { requestCert: false } : {}),
    },
    configuration: {
      clientAuthMethods: ["tls_client_auth", "self_signed_tls_client_auth"],
      clients: [
        {
          client_id: MTLS_CLIENT,
          token_endpoint_auth_method: "tls_client_auth",
          tls_client_auth_subject_dn: "CN=passgrant-mtls-client",
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
        },
        {
          client_id: SELF_SIGNED_CLIENT,
          token_endpoint_auth_method: "self_signed_tls_client_auth",
          jwks: {
            keys: [
              {
                ...new X509Certificate(selfSigned.cert).publicKey.export({ format: "jwk" }),
                x5c: [new X509Certificate(selfSigned.cert).raw.toString("base64")],
              },
            ],
          },
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
        },
      ],
      features: {
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        devInteractions: { enabled: false },
        mTLS: {
          enabled: true,
          certificateBoundAccessTokens: true,
          tlsClientAuth: true,
          selfSignedTlsClientAuth: true,
          getCertificate: (ctx: { req: { socket: unknown } }) =>
            socketOf(ctx).getPeerX509Certificate(),
          // The https server asks for a certificate without refusing unknown ones: trust is
          // decided here, from the handshake's verification against the test CA.
          certificateAuthorized: (ctx: { req: { socket: unknown } }) => socketOf(ctx).authorized,
          certificateSubjectMatches: (
            ctx: { req: { socket: unknown } },
            property: string,
            expected: string,
          ) =>
            property === "tls_client_auth_subject_dn" &&
            socketOf(ctx).getPeerX509Certificate()?.subject === expected,
        },
      },
    },
  });
  closers.push(server.close);
  return server;
}

describe("mutual TLS client certificates (RFC 8705) through the transport", () => {
  it("presents the certificate only when configured; a combined PEM file works too", async () => {
    const api = await startApi(new Map());
    const plain = createTransport({ caFile: certs.caFile });
    const withCert = createTransport({
      caFile: certs.caFile,
      clientCertFile: client.certFile,
      clientCertKeyFile: client.keyFile,
    });
    const combinedFile = join(certs.dir, "combined.pem");
    writeFileSync(combinedFile, `${client.cert}${client.key}`, { mode: 0o600 });
    const combined = createTransport({ caFile: certs.caFile, clientCertFile: combinedFile });
    closers.push(
      () => plain.close(),
      () => withCert.close(),
      () => combined.close(),
    );
    for (const transport of [plain, withCert, combined]) {
      const response = await transport.fetch(new Request(`${api.url}/who`));
      await response.body?.cancel();
    }
    expect(
      api.seen.map(({ subject, thumbprint, authorized }) => ({ subject, thumbprint, authorized })),
    ).toEqual([
      { subject: undefined, thumbprint: undefined, authorized: false },
      { subject: "CN=passgrant-mtls-client", thumbprint: client.thumbprint, authorized: true },
      { subject: "CN=passgrant-mtls-client", thumbprint: client.thumbprint, authorized: true },
    ]);
  });

  it("through an https proxy, the certificate goes to the origin inside the tunnel, not to the proxy", async () => {
    const api = await startApi(new Map());
    const originPort = Number(new URL(api.url).port);
    const proxySeen: Array<Pick<Presented, "subject">> = [];
    const proxy: Server = createServer({
      key: certs.key,
      cert: certs.cert,
      requestCert: true,
      rejectUnauthorized: false,
    });
    proxy.on("connect", (req, socket: Socket, head: Buffer) => {
      proxySeen.push({ subject: peerOf(req.socket as TLSSocket).subject });
      // Whatever host was asked for, the tunnel leads to the test's origin on loopback.
      const upstream = connect(originPort, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          proxy.closeAllConnections();
          proxy.close(() => resolve());
        }),
    );
    const transport = createTransport({
      caFile: certs.caFile,
      clientCertFile: client.certFile,
      clientCertKeyFile: client.keyFile,
      proxy: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    closers.push(() => transport.close());
    // A name the server certificate holds that is not loopback, so the proxy applies.
    const response = await transport.fetch(
      new Request(`https://msx.example.test:${originPort}/who`),
    );
    await response.body?.cancel();
    expect(response.status).toBe(401);
    expect(proxySeen).toEqual([{ subject: undefined }]);
    expect(api.seen.map((seen) => seen.subject)).toEqual(["CN=passgrant-mtls-client"]);
  });

  it.each([
    [
      "a key that is not the certificate's",
      () => ({ clientCertFile: client.certFile, clientCertKeyFile: stranger.keyFile }),
      /`clientCertKeyFile` ".*someone-else.key" is not the key of `clientCertFile` ".*" \(CN=passgrant-mtls-client\)/,
    ],
    [
      "a certificate file without a key",
      () => ({ clientCertFile: client.certFile }),
      /holds no private key: set `clientCertKeyFile`/,
    ],
    [
      "a key file where the certificate should be",
      () => ({ clientCertFile: client.keyFile, clientCertKeyFile: client.keyFile }),
      /is not a PEM certificate/,
    ],
    [
      "a missing key file",
      () => ({ clientCertFile: client.certFile, clientCertKeyFile: "/nonexistent/key.pem" }),
      /`clientCertKeyFile` "\/nonexistent\/key.pem" does not exist/,
    ],
    [
      "a key without a certificate",
      () => ({ clientCertKeyFile: client.keyFile }),
      /`clientCertKeyFile` is set without `clientCertFile`/,
    ],
  ])(
    "%s is a ConfigError when the transport is made, never quoting the key",
    (_name, options, expected) => {
      let error: unknown;
      try {
        createTransport({ caFile: certs.caFile, ...options() });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).not.toContain(client.key.split("\n")[1]);
    },
  );
});

describe("tls_client_auth and certificate-bound tokens against oidc-provider (RFC 8705)", () => {
  it("authenticates with the certificate; the token is bound to it and works only with it", async () => {
    const server = await startMtlsServer();
    const transport = createTransport({
      caFile: certs.caFile,
      clientCertFile: client.certFile,
      clientCertKeyFile: client.keyFile,
    });
    closers.push(() => transport.close());
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: MTLS_CLIENT,
      clientAuth: "tls_client_auth",
      grant: { type: "client_credentials" },
      fetch: transport.fetch,
    });
    const token = await provider.getAccessToken();
    // RFC 8705 §3.1: the server binds the token to the certificate's SHA-256 thumbprint.
    const info = await provider.introspect();
    expect(info).toMatchObject({ active: true, client_id: MTLS_CLIENT });
    expect((info.cnf as Record<string, string>)["x5t#S256"]).toBe(client.thumbprint);

    // The API sees the same certificate on API calls made through the same transport.
    const api = await startApi(new Map([[token, client.thumbprint]]));
    const call = (through: typeof transport) =>
      through.fetch(
        new Request(`${api.url}/tenants`, { headers: { Authorization: `Bearer ${token}` } }),
      );
    expect((await call(transport)).status).toBe(200);
    // Stolen without the key, the token is useless (RFC 8705 §3).
    const thief = createTransport({ caFile: certs.caFile });
    closers.push(() => thief.close());
    expect((await call(thief)).status).toBe(401);
    expect(api.seen.map((seen) => seen.thumbprint)).toEqual([client.thumbprint, undefined]);
  });

  it("self_signed_tls_client_auth with a certificate registered with the client", async () => {
    const server = await startMtlsServer();
    const transport = createTransport({
      caFile: certs.caFile,
      clientCertFile: selfSigned.certFile,
      clientCertKeyFile: selfSigned.keyFile,
    });
    closers.push(() => transport.close());
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: SELF_SIGNED_CLIENT,
      clientAuth: "self_signed_tls_client_auth",
      grant: { type: "client_credentials" },
      fetch: transport.fetch,
    });
    await provider.getAccessToken();
    const info = await provider.introspect();
    expect((info.cnf as Record<string, string>)["x5t#S256"]).toBe(selfSigned.thumbprint);
  });

  it("sends to the metadata's mtls_endpoint_aliases (RFC 8705 §5) when only they ask for a certificate", async () => {
    // The alias: the same provider behind a second https server, the one that asks for certificates.
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
    const aliasSeen: string[] = [];
    const alias: Server = createServer(
      {
        key: certs.key,
        cert: certs.cert,
        ca: certs.caPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        aliasSeen.push(`${req.method} ${req.url}`);
        handler(req, res);
      },
    );
    await new Promise<void>((resolve) => alias.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          alias.closeAllConnections();
          alias.close(() => resolve());
        }),
    );
    const aliasUrl = `https://127.0.0.1:${(alias.address() as AddressInfo).port}`;
    const server = await startMtlsServer({
      requestCert: false,
      prepare: (provider) =>
        provider.use(async (ctx: { path: string; body: unknown }, next: () => Promise<void>) => {
          await next();
          if (ctx.path.startsWith("/.well-known/") && typeof ctx.body === "object") {
            ctx.body = {
              ...(ctx.body as object),
              mtls_endpoint_aliases: {
                token_endpoint: `${aliasUrl}/token`,
                introspection_endpoint: `${aliasUrl}/token/introspection`,
              },
            };
          }
        }),
    });
    handler = server.provider.callback();
    const transport = createTransport({
      caFile: certs.caFile,
      clientCertFile: client.certFile,
      clientCertKeyFile: client.keyFile,
    });
    closers.push(() => transport.close());
    const provider = (clientAuth: "tls_client_auth" | "basic") =>
      createTokenProvider({
        issuer: server.issuer,
        clientId: MTLS_CLIENT,
        clientAuth,
        ...(clientAuth === "basic" ? { clientSecret: "not-used-here" } : {}),
        grant: { type: "client_credentials" },
        fetch: transport.fetch,
      });
    const mtls = provider("tls_client_auth");
    await mtls.getAccessToken();
    const info = await mtls.introspect();
    expect((info.cnf as Record<string, string>)["x5t#S256"]).toBe(client.thumbprint);
    expect(aliasSeen).toEqual(["POST /token", "POST /token/introspection"]);
    expect(server.seen).not.toContain("POST /token");
    // Without a certificate method the aliases are not used (RFC 8705 §5 is for mTLS clients).
    expect((await provider("basic").serverMetadata())?.tokenEndpoint).toBe(
      `${server.issuer}/token`,
    );
    expect((await mtls.serverMetadata())?.tokenEndpoint).toBe(`${aliasUrl}/token`);
  });

  it("another certificate, or none, gets invalid_client with advice about the certificate", async () => {
    const server = await startMtlsServer();
    for (const options of [
      { clientCertFile: stranger.certFile, clientCertKeyFile: stranger.keyFile },
      {},
    ]) {
      const transport = createTransport({ caFile: certs.caFile, ...options });
      closers.push(() => transport.close());
      const provider = createTokenProvider({
        issuer: server.issuer,
        clientId: MTLS_CLIENT,
        clientAuth: "tls_client_auth",
        grant: { type: "client_credentials" },
        fetch: transport.fetch,
      });
      const error = await provider.getToken().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).error).toBe("invalid_client");
      expect((error as Error).message).toContain(
        "Check that `clientCertFile` is the certificate registered for `clientId`",
      );
      expect((error as Error).message).not.toContain("basic-raw");
    }
  });
});

describe("passgrant token with MSX_CLIENT_CERT_FILE (built CLI, oidc-provider over mTLS)", () => {
  it("gets a certificate-bound client-credentials token", async () => {
    const server = await startMtlsServer();
    const result = await runCli(["token", "--grant", "client-credentials", "--json"], {
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: MTLS_CLIENT,
        MSX_CLIENT_AUTH: "tls_client_auth",
        MSX_CLIENT_CERT_FILE: client.certFile,
        MSX_CLIENT_CERT_KEY_FILE: client.keyFile,
        MSX_CA_FILE: certs.caFile,
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const token = JSON.parse(result.stdout) as { accessToken: string };
    // A client-credentials token is stored as the ClientCredentials model, with its binding.
    const found = await server.provider.ClientCredentials.find(token.accessToken);
    expect(found?.["x5t#S256"]).toBe(client.thumbprint);
  });

  it("tls_client_auth without MSX_CLIENT_CERT_FILE: exit 2 naming it, no secret asked for", async () => {
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_TOKEN_URL: "https://127.0.0.1:9/token",
        MSX_CLIENT_ID: MTLS_CLIENT,
        MSX_CLIENT_AUTH: "tls_client_auth",
      },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MSX_CLIENT_CERT_FILE is not set");
    expect(result.stderr).not.toContain("MSX_CLIENT_SECRET");
  });

  it("a wrong certificate: exit 3 with the advice in MSX_* words", async () => {
    const server = await startMtlsServer();
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: MTLS_CLIENT,
        MSX_CLIENT_AUTH: "tls_client_auth",
        MSX_CLIENT_CERT_FILE: stranger.certFile,
        MSX_CLIENT_CERT_KEY_FILE: stranger.keyFile,
        MSX_CA_FILE: certs.caFile,
      },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_client");
    expect(result.stderr).toContain(
      "Check that MSX_CLIENT_CERT_FILE is the certificate registered for MSX_CLIENT_ID",
    );
  });
});
