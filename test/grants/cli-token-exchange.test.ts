import { chmodSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTokenProvider } from "../../src/index.js";
import { type CliResult, runCli, runCliInTerminal, tempDir } from "../cli/run-cli.js";
import {
  ACCESS_TOKEN_TYPE,
  CLIENT_ID,
  CLIENT_SECRET,
  EXCHANGE_AUDIENCE,
  startExchangeServer,
  startOidcServer,
  TOKEN_EXCHANGE_GRANT,
} from "./oidc-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** The exchange server, and a subject token it issued (a client credentials access token). */
async function exchangeSetup() {
  const server = await startExchangeServer();
  closers.push(server.close);
  const library = createTokenProvider({
    issuer: server.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientAuth: "post",
    grant: { type: "client_credentials" },
  });
  const subject = (await library.getToken()).accessToken;
  const env = {
    MSX_ISSUER: server.issuer,
    MSX_CLIENT_ID: CLIENT_ID,
    MSX_CLIENT_SECRET: CLIENT_SECRET,
    MSX_CLIENT_AUTH: "post",
  };
  const exchangeRequests = () => server.exchanges.length;
  return { server, library, subject, env, exchangeRequests };
}

const exchange = ["token", "--grant", "token-exchange", "--audience", EXCHANGE_AUDIENCE];

function expectNoSecrets(result: CliResult, ...secrets: string[]): void {
  for (const secret of [CLIENT_SECRET, ...secrets]) {
    expect(result.stderr).not.toContain(secret);
  }
}

describe("passgrant token --grant token-exchange (built CLI, oidc-provider)", () => {
  it("reads the subject token from standard input and prints only the exchanged token", async () => {
    const { server, library, subject, env } = await exchangeSetup();
    const result = await runCli([...exchange, "--subject-token", "-"], {
      env,
      stdin: `${subject}\n`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const issued = result.stdout.trim();
    expect(result.stdout).toBe(`${issued}\n`);
    expect(issued).not.toBe(subject);
    // The server got the subject token without the newline, typed as the default (§2.1).
    expect(server.exchanges).toEqual([
      expect.objectContaining({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: EXCHANGE_AUDIENCE,
      }),
    ]);
    // The issued token is the provider's own.
    expect(await library.introspect(issued)).toMatchObject({ active: true, client_id: CLIENT_ID });
  });

  it("reads the subject token from @FILE, relative to the working directory", async () => {
    const { subject, env, exchangeRequests } = await exchangeSetup();
    const cwd = tempDir();
    writeFileSync(join(cwd, "subject.jwt"), `${subject}\n`);
    chmodSync(join(cwd, "subject.jwt"), 0o600);
    const result = await runCli([...exchange, "--subject-token", "@subject.jwt", "--json"], {
      env,
      cwd,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const token = JSON.parse(result.stdout);
    expect(token).toMatchObject({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      expires_in: expect.any(Number),
      raw: { issued_token_type: ACCESS_TOKEN_TYPE },
    });
    expect(token.accessToken).not.toBe(subject);
    expect(exchangeRequests()).toBe(1);
  });

  it("reads the subject token from MSX_SUBJECT_TOKEN, and prints it as a header when asked", async () => {
    const { server, subject, env } = await exchangeSetup();
    const result = await runCli([...exchange, "--format", "header", "--verbose"], {
      env: { ...env, MSX_SUBJECT_TOKEN: subject },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Authorization: Bearer [\x21-\x7e]+\n$/);
    const issued = result.stdout.trim().slice("Authorization: Bearer ".length);
    // --verbose logs the grant and the requests, never the subject or the issued token.
    expect(result.stderr).toContain(`grant ${TOKEN_EXCHANGE_GRANT}`);
    expectNoSecrets(result, subject, issued);
    expect(server.exchanges[0]?.subject_token).toBe(subject);
  });

  it("--format exec-credential prints kubectl's ExecCredential for the exchanged token", async () => {
    const { subject, env } = await exchangeSetup();
    const result = await runCli([...exchange, "--format", "exec-credential"], {
      env: { ...env, MSX_SUBJECT_TOKEN: subject },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: expect.any(String), expirationTimestamp: expect.any(String) },
    });
  });

  it("refuses a subject token written on the command line, without echoing it or sending anything", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const env = { MSX_ISSUER: server.issuer, MSX_CLIENT_ID: CLIENT_ID };
    const literal = "eyJhbGciOiJub25lIn0.literal-subject-token.";
    for (const args of [
      [...exchange, "--subject-token", literal],
      [...exchange, `--subject-token=${literal}`],
    ]) {
      const result = await runCli(args, { env: { ...env, MSX_CLIENT_SECRET: CLIENT_SECRET } });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("--subject-token takes - (standard input) or @FILE");
      expect(result.stderr).toContain("--subject-token -");
      expect(result.stderr).toContain("MSX_SUBJECT_TOKEN");
      expectNoSecrets(result, literal);
    }
    // Refused before the configuration was read: not even discovery was asked.
    expect(server.seen).toEqual([]);
  });

  it("refuses --subject-token - at a terminal, where the token typed would be shown", async () => {
    const server = await startOidcServer();
    closers.push(server.close);
    const env = {
      MSX_ISSUER: server.issuer,
      MSX_CLIENT_ID: CLIENT_ID,
      MSX_CLIENT_SECRET: CLIENT_SECRET,
    };
    const result = await runCliInTerminal([...exchange, "--subject-token", "-"], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("standard input is a terminal");
    expect(server.seen).toEqual([]);
  });

  it("a subject token the server does not accept is its invalid_grant: exit 3, the token never shown", async () => {
    const { env, exchangeRequests } = await exchangeSetup();
    const unknown = "made-up-subject-token-3f9c";
    const result = await runCli([...exchange, "--subject-token", "-"], { env, stdin: unknown });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^passgrant: /);
    expect(result.stderr).toContain("The token endpoint refused the request: invalid_grant");
    // What to do, in the CLI's words (RFC 8693 §2.2.2).
    expect(result.stderr).toContain(
      "The subject token was refused: it is invalid, expired or revoked, of another type than --subject-token-type says, or not accepted for this exchange (RFC 8693 §2.2.2). Check the grant's --subject-token (or MSX_SUBJECT_TOKEN)",
    );
    expectNoSecrets(result, unknown);
    expect(exchangeRequests()).toBe(1);
  });

  it("sends --subject-token-type and --requested-token-type as given (RFC 8693 §2.1)", async () => {
    const { server, subject, env } = await exchangeSetup();
    const result = await runCli(
      [
        ...exchange,
        "--subject-token-type",
        "urn:ietf:params:oauth:token-type:jwt",
        "--requested-token-type",
        ACCESS_TOKEN_TYPE,
        "--subject-token",
        "-",
      ],
      { env, stdin: subject },
    );
    // This server takes only access tokens as subjects: its refusal, in the CLI's words.
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_request");
    expect(result.stderr).toContain("The subject token was refused");
    expectNoSecrets(result, subject);
    expect(server.exchanges).toEqual([
      expect.objectContaining({
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        requested_token_type: ACCESS_TOKEN_TYPE,
      }),
    ]);
  });

  it("an audience the server will not issue for is its invalid_target, said as such", async () => {
    const { subject, env } = await exchangeSetup();
    const result = await runCli(
      ["token", "--grant", "token_exchange", "--audience", "billing-api", "--subject-token", "-"],
      { env, stdin: subject },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("invalid_target");
    expect(result.stderr).toContain(
      "The server will not issue a token for the requested --audience or --resource (RFC 8693 §2.2.2)",
    );
    expectNoSecrets(result, subject);
  });
});

describe("passgrant token --grant token-exchange: the exact form (built CLI, node:http)", () => {
  it("sends every RFC 8693 §2.1 parameter given, the subject token without its newline", async () => {
    const forms: Array<{ body: string; type: string | undefined }> = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        forms.push({ body, type: req.headers["content-type"] });
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            access_token: "exchanged-for-orders",
            issued_token_type: ACCESS_TOKEN_TYPE,
            token_type: "Bearer",
            expires_in: 60,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const result = await runCli(
      [
        ...exchange,
        "--resource",
        "https://api.example.com/orders",
        "--requested-token-type",
        ACCESS_TOKEN_TYPE,
        "--subject-token",
        "-",
      ],
      {
        env: { MSX_TOKEN_URL: tokenUrl, MSX_CLIENT_ID: CLIENT_ID, MSX_CLIENT_AUTH: "none" },
        stdin: "caller-token\r\n",
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("exchanged-for-orders\n");
    expect(forms).toHaveLength(1);
    // The raw body and its type: a JSON body under a form header would not do (pitfalls.md).
    expect(forms[0]?.type).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(forms[0]?.body))).toEqual({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: "caller-token",
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      audience: EXCHANGE_AUDIENCE,
      resource: "https://api.example.com/orders",
      client_id: CLIENT_ID,
    });
  });
});

describe("passgrant token --grant token-exchange: usage errors, before anything is sent", () => {
  async function refused(args: string[], options: { stdin?: string; cwd?: string } = {}) {
    const server = await startOidcServer();
    closers.push(server.close);
    const result = await runCli(args, {
      ...options,
      env: {
        MSX_ISSUER: server.issuer,
        MSX_CLIENT_ID: CLIENT_ID,
        MSX_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe("");
    expect(server.seen).toEqual([]);
    return result.stderr;
  }

  it("refuses --cache: an exchanged token belongs to its subject token", async () => {
    const stderr = await refused([...exchange, "--subject-token", "-", "--cache"], {
      stdin: "some-subject-token",
    });
    expect(stderr).toContain("--cache does not apply with --grant token-exchange");
    expect(stderr).not.toContain("some-subject-token");
  });

  it("says how to give the subject token when none is given", async () => {
    const stderr = await refused(exchange);
    expect(stderr).toContain("--grant token-exchange needs the subject token");
    expect(stderr).toContain("--subject-token @FILE");
  });

  it("names a missing @FILE and an empty standard input", async () => {
    const cwd = tempDir();
    expect(await refused([...exchange, "--subject-token", "@nope.jwt"], { cwd })).toContain(
      `--subject-token @nope.jwt: ${join(cwd, "nope.jwt")} does not exist.`,
    );
    expect(await refused([...exchange, "--subject-token", "-"], { stdin: "\n" })).toContain(
      "The subject token from standard input is empty.",
    );
  });

  it("refuses a @FILE larger than a token could be, without quoting it", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "big"), "x".repeat(300 * 1024));
    const stderr = await refused([...exchange, "--subject-token", "@big"], { cwd });
    expect(stderr).toContain("is larger than 262144 bytes, not a token");
    expect(stderr).not.toContain("xxxx");
  });

  it("refuses the exchange options with another grant, and a --resource that is not a URI", async () => {
    expect(
      await refused(["token", "--grant", "client-credentials", "--audience", "orders-api"]),
    ).toContain("--audience only applies with --grant token-exchange.");
    expect(
      await refused([...exchange, "--resource", "orders", "--subject-token", "-"], {
        stdin: "t",
      }),
    ).toContain("--resource must be an absolute URI without a fragment");
  });
});
