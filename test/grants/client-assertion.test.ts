import { execFile, execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, createTokenProvider, OAuthError } from "../../src/index.js";
import { runCli, tempDir } from "../cli/run-cli.js";
import { startOidcServer } from "./oidc-server.js";

const JWT_CLIENT = "passgrant-jwt";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

const ecKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsaKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const strangerKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });

function pkcs8(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }) as string;
}

/** oidc-provider with one client registered for private_key_jwt with these public keys. */
async function startJwtServer() {
  const jwk = (key: KeyObject, kid: string) => ({
    ...key.export({ format: "jwk" }),
    kid,
    use: "sig",
  });
  const server = await startOidcServer({
    configuration: {
      clients: [
        {
          client_id: JWT_CLIENT,
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [jwk(ecKeys.publicKey, "ec-1"), jwk(rsaKeys.publicKey, "rsa-1")] },
          grant_types: ["client_credentials"],
          response_types: [],
          redirect_uris: [],
        },
      ],
    },
  });
  closers.push(server.close);
  return server;
}

/** A fetch that keeps each request's form, to look at the assertions sent. */
function recordingFetch() {
  const forms: URLSearchParams[] = [];
  return {
    forms,
    fetch: async (request: Request) => {
      forms.push(new URLSearchParams(await request.clone().text()));
      return globalThis.fetch(request);
    },
  };
}

function keyFile(pem: string, name = "client-key.pem"): string {
  const path = join(tempDir("passgrant-key-"), name);
  writeFileSync(path, pem, { mode: 0o600 });
  return path;
}

describe("private_key_jwt client authentication (RFC 7523) against oidc-provider", () => {
  it("gets a client-credentials token with an EC key file, a fresh assertion per request", async () => {
    const server = await startJwtServer();
    const recorder = recordingFetch();
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: JWT_CLIENT,
      clientAssertionKeyFile: keyFile(pkcs8(ecKeys.privateKey)),
      clientAssertionKid: "ec-1",
      grant: { type: "client_credentials" },
      fetch: recorder.fetch,
    });
    const token = await provider.getToken();
    expect(token.accessToken).toMatch(/\S{20,}/);
    // The same client authenticates at the introspection endpoint (postClientForm there too).
    expect(await provider.introspect()).toMatchObject({ active: true, client_id: JWT_CLIENT });
    provider.invalidate();
    await provider.getToken();

    const assertions = recorder.forms.filter((form) => form.has("client_assertion"));
    expect(assertions).toHaveLength(3);
    const tokenEndpoint = `${server.issuer}/token`;
    const claims = assertions.map((form) => {
      expect(form.get("client_assertion_type")).toBe(ASSERTION_TYPE);
      expect(form.get("client_id")).toBe(JWT_CLIENT);
      expect(form.has("client_secret")).toBe(false);
      const jwt = form.get("client_assertion") as string;
      expect(decodeProtectedHeader(jwt)).toEqual({ alg: "ES256", kid: "ec-1" });
      return decodeJwt(jwt);
    });
    for (const claim of claims) {
      expect(claim).toMatchObject({ iss: JWT_CLIENT, sub: JWT_CLIENT });
      expect((claim.exp as number) - (claim.iat as number)).toBe(60);
      expect(claim.jti).toMatch(/^[0-9a-f-]{36}$/);
    }
    // aud: the endpoint each request went to (OpenID Connect Core §9 for the token endpoint).
    expect(claims.map((claim) => claim.aud)).toEqual([
      tokenEndpoint,
      `${tokenEndpoint}/introspection`,
      tokenEndpoint,
    ]);
    expect(new Set(claims.map((claim) => claim.jti)).size).toBe(3);
  });

  it("reads a PKCS#1 RSA key (which jose's importPKCS8 refuses): RS256 by default, PS256 on request", async () => {
    const server = await startJwtServer();
    const pkcs1 = rsaKeys.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    expect(pkcs1).toContain("BEGIN RSA PRIVATE KEY");
    for (const alg of [undefined, "PS256"] as const) {
      const recorder = recordingFetch();
      const provider = createTokenProvider({
        tokenUrl: `${server.issuer}/token`,
        clientId: JWT_CLIENT,
        clientAuth: "private_key_jwt",
        clientAssertionKey: pkcs1,
        ...(alg ? { clientAssertionAlg: alg } : {}),
        grant: { type: "client_credentials" },
        fetch: recorder.fetch,
      });
      await expect(provider.getAccessToken()).resolves.toMatch(/\S{20,}/);
      const jwt = recorder.forms[0]?.get("client_assertion") as string;
      expect(decodeProtectedHeader(jwt).alg).toBe(alg ?? "RS256");
      // The PEM text is a known secret, masked wherever a server would quote it.
      expect(provider.knownSecrets()).toContain(pkcs1.trim());
    }
  });

  it("a key the server does not know gets invalid_client, with advice and no secret", async () => {
    const server = await startJwtServer();
    const recorder = recordingFetch();
    const pem = pkcs8(strangerKeys.privateKey);
    const provider = createTokenProvider({
      tokenUrl: `${server.issuer}/token`,
      clientId: JWT_CLIENT,
      clientAssertionKey: pem,
      grant: { type: "client_credentials" },
      fetch: recorder.fetch,
    });
    const error = await provider.getToken().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).error).toBe("invalid_client");
    const message = (error as Error).message;
    expect(message).toContain('`clientAuth: "private_key_jwt"`');
    expect(message).toContain("public key of `clientAssertionKey` registered");
    expect(message).not.toContain("basic-raw");
    const assertion = recorder.forms[0]?.get("client_assertion") as string;
    for (const secret of [assertion, pem.trim(), pem.split("\n")[1] as string]) {
      expect(message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });
});

describe("private_key_jwt configuration errors", () => {
  const base = {
    tokenUrl: "http://127.0.0.1:9/token",
    clientId: JWT_CLIENT,
    grant: { type: "client_credentials" },
  } as const;
  const failure = (options: Record<string, unknown>): ConfigError => {
    try {
      createTokenProvider({ ...base, ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("no ConfigError");
  };
  const ecPem = pkcs8(ecKeys.privateKey);
  const secretLine = ecPem.split("\n")[1] as string;

  it.each([
    [
      "a missing file",
      () => ({ clientAssertionKeyFile: "/nonexistent/key.pem" }),
      /does not exist/,
    ],
    [
      "a directory",
      () => ({ clientAssertionKeyFile: tempDir() }),
      /is a directory, not a regular file/,
    ],
    [
      "a FIFO (never waited on)",
      () => {
        const path = join(tempDir(), "key.pem");
        execFileSync("mkfifo", [path]);
        return { clientAssertionKeyFile: path };
      },
      /is a FIFO \(named pipe\), not a regular file/,
    ],
    [
      "a file over 256 KiB",
      () => ({ clientAssertionKeyFile: keyFile("x".repeat(300 * 1024)) }),
      /larger than 262144 bytes/,
    ],
    [
      "a certificate instead of a key",
      () => ({
        clientAssertionKeyFile: keyFile(
          "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        ),
      }),
      /holds a PEM CERTIFICATE, not a private key/,
    ],
    [
      "a public key",
      () => ({ clientAssertionKey: ecKeys.publicKey.export({ type: "spki", format: "pem" }) }),
      /holds a PEM PUBLIC KEY, not a private key/,
    ],
    [
      "an encrypted key",
      () => ({
        clientAssertionKey: ecKeys.privateKey.export({
          type: "pkcs8",
          format: "pem",
          cipher: "aes-256-cbc",
          passphrase: "pass-phrase",
        }),
      }),
      /encrypted private key; passgrant reads unencrypted ones/,
    ],
    [
      "a damaged key",
      () => ({ clientAssertionKey: ecPem.replace(secretLine, secretLine.slice(0, 20)) }),
      /cannot be read as a private key/,
    ],
    [
      "a key type that cannot sign assertions",
      () => ({ clientAssertionKey: generateKeyPairSync("x25519").privateKey }),
      /x25519 key, which passgrant cannot sign client assertions with/,
    ],
    [
      "an algorithm that does not fit the key",
      () => ({ clientAssertionKey: ecPem, clientAssertionAlg: "RS256" }),
      /`clientAssertionAlg` "RS256" does not fit the key \(prime256v1\): use ES256/,
    ],
    [
      "a key with another client authentication method",
      () => ({ clientAssertionKey: ecPem, clientAuth: "post", clientSecret: "s3cret-value" }),
      /clientAssertionKey is set but clientAuth is "post"/,
    ],
    [
      "private_key_jwt without a key",
      () => ({ clientAuth: "private_key_jwt" }),
      /"private_key_jwt" needs clientAssertionKey/,
    ],
  ])("%s is a ConfigError saying what to do, never the key", (_name, options, expected) => {
    const error = failure(options());
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain(secretLine);
    expect(error.message).not.toContain("PRIVATE KEY-----\n");
  });
});

describe("jose is loaded only when a client assertion is signed", () => {
  const run = promisify(execFile);
  const entry = resolve(import.meta.dirname, "../../dist/lib/index.js");
  const hooks = resolve(tempDir("passgrant-hooks-"), "hooks.mjs");
  // A resolve hook (in Node's loader thread) reports every module that resolves into jose.
  writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
       const found = await next(specifier, context);
       if (/[\\\\/]node_modules[\\\\/]jose[\\\\/]/.test(found.url)) process.stderr.write("jose-loaded\\n");
       return found;
     }`,
  );
  const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(`file://${hooks}`)})`;
  const script = (options: string) => `
    import { createServer } from "node:http";
    import { generateKeyPairSync } from "node:crypto";
    const { createTokenProvider } = await import(${JSON.stringify(entry)});
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ access_token: "tok-" + "x".repeat(20), token_type: "Bearer", expires_in: 60 }));
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const provider = createTokenProvider({ tokenUrl: "http://127.0.0.1:" + server.address().port + "/token",
      clientId: "c", grant: { type: "client_credentials" }, ...${options} });
    await provider.getAccessToken();
    server.close();
    console.log("token");
  `;

  it("not for a client secret; on the first signature for private_key_jwt", async () => {
    const basic = await run("node", [
      "--import",
      register,
      "--input-type=module",
      "-e",
      script('{ clientSecret: "s" }'),
    ]);
    expect(basic.stdout).toBe("token\n");
    expect(basic.stderr).not.toContain("jose-loaded");
    const jwt = await run("node", [
      "--import",
      register,
      "--input-type=module",
      "-e",
      script("{ clientAssertionKey: key }"),
    ]);
    expect(jwt.stdout).toBe("token\n");
    expect(jwt.stderr).toContain("jose-loaded");
  });
});

describe("passgrant token with MSX_CLIENT_KEY_FILE (built CLI, oidc-provider)", () => {
  it("gets a client-credentials token; MSX_CLIENT_AUTH defaults to private_key_jwt", async () => {
    const server = await startJwtServer();
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: JWT_CLIENT,
        MSX_CLIENT_KEY_FILE: keyFile(pkcs8(rsaKeys.privateKey)),
      },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[\x21-\x7e]{20,}\n$/);
    expect(server.seen).toContain("POST /token");
  });

  it("a key the server does not know: exit 3, advice in the CLI's words, no key", async () => {
    const server = await startJwtServer();
    const pem = pkcs8(strangerKeys.privateKey);
    const result = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_TOKEN_URL: `${server.issuer}/token`,
        MSX_CLIENT_ID: JWT_CLIENT,
        MSX_CLIENT_AUTH: "private_key_jwt",
        MSX_CLIENT_KEY_FILE: keyFile(pem),
      },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("invalid_client");
    expect(result.stderr).toContain("MSX_CLIENT_AUTH=private_key_jwt");
    expect(result.stderr).toContain(
      "public key of MSX_CLIENT_KEY_FILE registered for MSX_CLIENT_ID",
    );
    expect(result.stderr).not.toContain(pem.split("\n")[1]);
  });

  it("a missing key file, or a private_key_jwt without one: exit 2 naming the variable", async () => {
    const missing = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_TOKEN_URL: "http://127.0.0.1:9/token",
        MSX_CLIENT_ID: JWT_CLIENT,
        MSX_CLIENT_KEY_FILE: "/nonexistent/client-key.pem",
      },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /MSX_CLIENT_KEY_FILE "\/nonexistent\/client-key.pem" does not exist/,
    );
    const unset = await runCli(["token", "--grant", "client-credentials"], {
      env: {
        MSX_TOKEN_URL: "http://127.0.0.1:9/token",
        MSX_CLIENT_ID: JWT_CLIENT,
        MSX_CLIENT_AUTH: "private_key_jwt",
      },
    });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("MSX_CLIENT_KEY_FILE is not set");
    expect(unset.stderr).not.toContain("MSX_CLIENT_SECRET");
  });
});
