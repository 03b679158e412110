import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  basicAuthorization,
  CLIENT_AUTH_METHODS,
  type ClientAuthMethod,
} from "../../src/auth/client-auth.js";
import { postClientForm, sentClientSecrets } from "../../src/auth/client-post.js";
import { OAuthError } from "../../src/auth/oauth-error.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  FORM,
  mockTokenEndpoint,
  PASSWORD,
  passwordProvider,
  setUpNock,
  tearDownNock,
  USERNAME,
} from "./helpers.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("basicAuthorization", () => {
  it("form-encodes id and secret before base64 in basic mode (RFC 6749 §2.3.1)", () => {
    expect(basicAuthorization("my:client", "se cret/+=", "basic")).toBe(
      `Basic ${b64("my%3Aclient:se+cret%2F%2B%3D")}`,
    );
  });

  it("leaves characters that need no encoding alone (-, _, ., ~, *, !, ', (, ))", () => {
    expect(basicAuthorization("a-b_c.d~e*f!g'(h)", "x")).toBe(
      `Basic ${b64("a-b_c.d~e*f!g'(h):x")}`,
    );
  });

  it("percent-encodes non-ASCII as UTF-8 in basic mode", () => {
    expect(basicAuthorization("clïent", "ß")).toBe(`Basic ${b64("cl%C3%AFent:%C3%9F")}`);
  });

  it("sends the raw id:secret in basic-raw mode, as the MSX guide does", () => {
    expect(basicAuthorization("my:client", "se cret/+=", "basic-raw")).toBe(
      `Basic ${b64("my:client:se cret/+=")}`,
    );
  });

  it("defaults to basic", () => {
    expect(basicAuthorization("a+b", "c")).toBe(`Basic ${b64("a%2Bb:c")}`);
  });
});

describe("client authentication on the wire", () => {
  beforeEach(setUpNock);
  afterEach(tearDownNock);

  it("basic: Authorization header, grant form only, exact Content-Type", async () => {
    const seen = mockTokenEndpoint();
    const { provider } = passwordProvider({ clientAuth: "basic" });
    await provider.getToken();
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.headers["content-type"]).toBe(FORM);
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.headers.authorization).toBe(basicAuthorization(CLIENT_ID, CLIENT_SECRET));
    expect(request?.body).toBe(
      new URLSearchParams({
        grant_type: "password",
        username: USERNAME,
        password: PASSWORD,
      }).toString(),
    );
    expect(request?.body).toBe(
      "grant_type=password&username=superuser&password=p%40ss+w%3Ard%2Bhunter2%26%3D",
    );
  });

  it("basic-raw: the raw pair in the header", async () => {
    const seen = mockTokenEndpoint();
    const { provider } = passwordProvider({ clientAuth: "basic-raw" });
    await provider.getToken();
    expect(seen[0]?.headers.authorization).toBe(`Basic ${b64(`${CLIENT_ID}:${CLIENT_SECRET}`)}`);
  });

  it("post: client_id and client_secret in the body, no Authorization header", async () => {
    const seen = mockTokenEndpoint();
    const { provider } = passwordProvider({ clientAuth: "post" });
    await provider.getToken();
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.body).toBe(
      new URLSearchParams({
        grant_type: "password",
        username: USERNAME,
        password: PASSWORD,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }).toString(),
    );
  });

  it("none: client_id only, for public clients", async () => {
    const seen = mockTokenEndpoint();
    const { provider } = passwordProvider({ clientAuth: "none", clientSecret: undefined });
    await provider.getToken();
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.form.get("client_id")).toBe(CLIENT_ID);
    expect(seen[0]?.form.has("client_secret")).toBe(false);
  });

  it("sends scope space-delimited (RFC 6749 §3.3)", async () => {
    const seen = mockTokenEndpoint();
    const { provider } = passwordProvider({ scope: ["read", "write"] });
    await provider.getToken();
    expect(seen[0]?.body).toBe(
      `${new URLSearchParams({ grant_type: "password", username: USERNAME, password: PASSWORD })}&scope=read+write`,
    );
  });

  it.each([
    ["basic", ['"basic-raw"', '"post"']],
    ["basic-raw", ['"basic"', '"post"']],
    ["post", ['"basic"', '"basic-raw"']],
  ] as const)(
    "invalid_client names the mode used (%s) and suggests only the others that send the secret",
    async (mode, others) => {
      mockTokenEndpoint(() => [
        401,
        { error: "invalid_client", error_description: "Bad client credentials" },
      ]);
      const { provider } = passwordProvider({ clientAuth: mode });
      const error = await provider.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthError);
      const oauth = error as OAuthError;
      expect(oauth.code).toBe("ERR_OAUTH");
      expect(oauth.error).toBe("invalid_client");
      expect(oauth.status).toBe(401);
      expect(oauth.message).toContain(`\`clientAuth: "${mode}"\``);
      for (const other of others) expect(oauth.message).toContain(`\`clientAuth: ${other}\``);
      // A confidential client is not helped by dropping its secret.
      expect(oauth.message).not.toContain('"none"');
      // Said once, at the end of the message; the library speaks of options, not MSX_* variables.
      expect(oauth.hint && oauth.message.endsWith(oauth.hint)).toBe(true);
      expect(oauth.message).not.toContain("MSX_");
      expect(oauth.message).not.toContain(CLIENT_SECRET);
    },
  );
});

describe("postClientForm awaits only a signing method", () => {
  const never = new Promise<Response>(() => {});
  const client = (clientAuth: ClientAuthMethod, seen: Request[]) => ({
    clientId: "the-client",
    clientSecret: "the-secret",
    clientAuth,
    fetch: (request: Request) => {
      seen.push(request);
      return never;
    },
  });

  it.each(CLIENT_AUTH_METHODS.filter((method) => method !== "private_key_jwt"))(
    "%s sends at once, in the same turn",
    (method) => {
      const seen: Request[] = [];
      void postClientForm(
        "https://as.example.test/token",
        client(method, seen),
        new URLSearchParams({ grant_type: "client_credentials" }),
      );
      // fetch was called before postClientForm returned: no microtask in between.
      expect(seen).toHaveLength(1);
    },
  );

  it("private_key_jwt sends once the assertion is signed, and signs per request", async () => {
    const seen: Request[] = [];
    let signed = 0;
    const jwt = client("private_key_jwt", seen);
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    void postClientForm(
      "https://as.example.test/token",
      {
        ...jwt,
        clientAssertion: async (audience) => `assertion-${++signed}-for-${audience}`,
      },
      form,
    );
    expect(seen).toHaveLength(0);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(form.get("client_assertion")).toBe("assertion-1-for-https://as.example.test/token");
    expect(sentClientSecrets(form)).toEqual(["assertion-1-for-https://as.example.test/token"]);
  });
});
