import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  createTokenProvider,
  DiscoveryError,
  discoverAuthorizationServer,
} from "../../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, type OidcServer, startOidcServer } from "./oidc-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function oidc(options?: Parameters<typeof startOidcServer>[0]): Promise<OidcServer> {
  const server = await startOidcServer(options);
  closers.push(server.close);
  return server;
}

/** A plain node:http server answering every request with `answer(path)`. */
async function fakeServer(answer: (path: string, origin: string) => [number, string]) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const [status, body] = answer(req.url ?? "", origin);
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin, seen };
}

describe("discovery (RFC 8414, OpenID Connect Discovery) against oidc-provider", () => {
  it("takes the token, device, revocation and introspection endpoints from the issuer's metadata", async () => {
    const server = await oidc();
    const metadata = await discoverAuthorizationServer(server.issuer);
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      tokenEndpoint: `${server.issuer}/token`,
      deviceAuthorizationEndpoint: `${server.issuer}/device/auth`,
      revocationEndpoint: `${server.issuer}/token/revocation`,
      introspectionEndpoint: `${server.issuer}/token/introspection`,
      metadataUrl: `${server.issuer}/.well-known/oauth-authorization-server`,
    });
  });

  it("a provider given only `issuer` obtains tokens, reading the metadata once", async () => {
    const server = await oidc();
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    });
    const first = await provider.getToken();
    expect(first.accessToken).toMatch(/^[\x21-\x7e]+$/);
    provider.invalidate();
    const second = await provider.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await provider.serverMetadata())?.tokenEndpoint).toBe(`${server.issuer}/token`);
    const wellKnown = server.seen.filter((line) => line.includes("/.well-known/"));
    expect(wellKnown).toEqual(["GET /.well-known/oauth-authorization-server"]);
    expect(server.seen.filter((line) => line === "POST /token")).toHaveLength(2);
  });

  it("falls back to OpenID Connect discovery for an issuer with a path (RFC 8414 §3.1 then OIDC §4)", async () => {
    const server = await oidc({ issuerPath: "/tenant-a" });
    const metadata = await discoverAuthorizationServer(server.issuer);
    expect(metadata.tokenEndpoint).toBe(`${server.issuer}/token`);
    expect(metadata.metadataUrl).toBe(`${server.issuer}/.well-known/openid-configuration`);
    expect(server.seen).toEqual([
      "GET /.well-known/oauth-authorization-server/tenant-a",
      "GET /tenant-a/.well-known/openid-configuration",
    ]);
  });

  it("refuses a document whose issuer is not exactly the configured one (RFC 8414 §3.3)", async () => {
    const server = await oidc();
    const error = await discoverAuthorizationServer(`${server.issuer}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: "ERR_DISCOVERY", reason: "issuer_mismatch" });
    expect((error as Error).message).toContain(`"${server.issuer}"`);
    expect((error as Error).message).toContain("set `issuer` to exactly its value");
  });

  it("refuses a document that names another issuer, and sends no token request", async () => {
    const fake = await fakeServer((_path, origin) => [
      200,
      JSON.stringify({ issuer: "https://evil.example", token_endpoint: `${origin}/steal` }),
    ]);
    const provider = createTokenProvider({
      issuer: fake.origin,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: "ERR_DISCOVERY",
      reason: "issuer_mismatch",
    });
    expect(fake.seen.some((path) => path.startsWith("/steal"))).toBe(false);
  });

  it("says where it looked when there is no metadata, and tries again on the next call", async () => {
    let available = false;
    const fake = await fakeServer((path, origin) =>
      available && path === "/.well-known/openid-configuration"
        ? [200, JSON.stringify({ issuer: origin, token_endpoint: `${origin}/token` })]
        : [404, "{}"],
    );
    const provider = createTokenProvider({
      issuer: fake.origin,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      grant: { type: "client_credentials" },
    });
    const error = await provider.serverMetadata().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_DISCOVERY", reason: "missing" });
    expect((error as Error).message).toContain(
      `${fake.origin}/.well-known/oauth-authorization-server (HTTP 404)`,
    );
    expect((error as Error).message).toContain(
      `${fake.origin}/.well-known/openid-configuration (HTTP 404)`,
    );
    available = true;
    expect((await provider.serverMetadata())?.tokenEndpoint).toBe(`${fake.origin}/token`);
  });

  it("refuses a document without a usable token_endpoint, and one that is not JSON", async () => {
    const fake = await fakeServer((path, origin) =>
      path.includes("openid")
        ? [200, JSON.stringify({ issuer: origin, token_endpoint: "javascript:alert(1)" })]
        : [200, "<html>sign in</html>"],
    );
    await expect(discoverAuthorizationServer(fake.origin)).rejects.toMatchObject({
      reason: "invalid",
      message: expect.stringContaining("no usable token_endpoint"),
    });
  });

  it("reads mtls_endpoint_aliases (RFC 8705 §5), and refuses malformed ones", async () => {
    const metadata = (origin: string, aliases: unknown) =>
      JSON.stringify({
        issuer: origin,
        token_endpoint: `${origin}/token`,
        mtls_endpoint_aliases: aliases,
      });
    const good = await fakeServer((_path, origin) => [
      200,
      metadata(origin, { token_endpoint: "https://mtls.example.test/token", other: 1 }),
    ]);
    const found = await discoverAuthorizationServer(good.origin);
    expect(found.tokenEndpoint).toBe(`${good.origin}/token`);
    expect(found.mtlsEndpointAliases).toEqual({ tokenEndpoint: "https://mtls.example.test/token" });
    for (const aliases of [
      ["https://mtls.example.test/token"],
      { token_endpoint: "javascript:x" },
    ]) {
      const bad = await fakeServer((_path, origin) => [200, metadata(origin, aliases)]);
      await expect(discoverAuthorizationServer(bad.origin)).rejects.toMatchObject({
        reason: "invalid",
      });
    }
  });

  it("needs tokenUrl or issuer", () => {
    expect(() =>
      createTokenProvider({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grant: { type: "client_credentials" },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      createTokenProvider({
        issuer: "not a url",
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grant: { type: "client_credentials" },
      }),
    ).toThrow(/issuer must be an absolute https URL/);
  });
});
