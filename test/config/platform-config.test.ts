import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasPlatformConfig, loadPlatformConfig, tokenHostWarning } from "../../src/config/index.js";
import { ConfigError } from "../../src/errors.js";

const complete = {
  MSX_BASE_URL: "https://msx.example.com/",
  MSX_CLIENT_ID: "my-client",
  MSX_CLIENT_SECRET: "s3cret-value",
  MSX_USERNAME: "superuser",
  MSX_PASSWORD: "pa55-value",
};

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadPlatformConfig", () => {
  it("names the variable it reads, never a CLI flag, when the password is missing", () => {
    const { MSX_PASSWORD: _omitted, ...withoutPassword } = complete;
    const [problem] = problemsOf(() => loadPlatformConfig(withoutPassword));
    expect(problem).toMatch(
      /^MSX_PASSWORD is not set: the password grant needs the user's password\./,
    );
    expect(problem).not.toContain("--");
  });

  it("derives the token URL from the base URL and applies the defaults", () => {
    const config = loadPlatformConfig(complete);
    expect(config).toEqual({
      baseUrl: "https://msx.example.com",
      tokenUrl: "https://msx.example.com/idm/v2/token",
      clientId: "my-client",
      clientSecret: "s3cret-value",
      clientAuth: "basic",
      username: "superuser",
      password: "pa55-value",
      insecureTls: false,
      timeoutMs: 30_000,
    });
  });

  it("keeps a base URL's path prefix and an explicit token URL", () => {
    const config = loadPlatformConfig({
      ...complete,
      MSX_BASE_URL: "https://gw.example.com/msx",
      MSX_TOKEN_URL: "https://login.example.com/oauth2/token",
    });
    expect(config.baseUrl).toBe("https://gw.example.com/msx");
    expect(config.tokenUrl).toBe("https://login.example.com/oauth2/token");
  });

  it("keeps the token URL as given: a trailing slash is part of its path", () => {
    const config = loadPlatformConfig({
      ...complete,
      MSX_TOKEN_URL: "https://login.example.com/oauth2/token/",
    });
    expect(config.tokenUrl).toBe("https://login.example.com/oauth2/token/");
    expect(config.baseUrl).toBe("https://msx.example.com");
  });

  it("needs no base URL when told so, if the token URL is set", () => {
    const { MSX_BASE_URL: _, ...rest } = complete;
    const config = loadPlatformConfig(
      { ...rest, MSX_TOKEN_URL: "https://login.example.com/token" },
      { baseUrl: false },
    );
    expect(config.baseUrl).toBeUndefined();
    expect(config.tokenUrl).toBe("https://login.example.com/token");
    const problems = problemsOf(() => loadPlatformConfig(rest, { baseUrl: false }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^MSX_BASE_URL is not set: the token endpoint defaults to \$MSX_BASE_URL\/idm\/v2\/token \(or set MSX_TOKEN_URL/,
      ),
    ]);
  });

  it("reports every missing variable at once, each with how to set it", () => {
    const problems = problemsOf(() => loadPlatformConfig({}));
    expect(problems).toHaveLength(5);
    for (const name of [
      "MSX_BASE_URL",
      "MSX_CLIENT_ID",
      "MSX_CLIENT_SECRET",
      "MSX_USERNAME",
      "MSX_PASSWORD",
    ]) {
      const problem = problems.find((p) => p.startsWith(`${name} is not set`));
      expect(problem, name).toContain(`e.g. ${name}=`);
    }
  });

  it("reports bad values together with missing ones, and treats empty values as unset", () => {
    const problems = problemsOf(() =>
      loadPlatformConfig({
        MSX_BASE_URL: "msx.example.com",
        MSX_CLIENT_ID: "",
        MSX_CLIENT_SECRET: "x",
        MSX_USERNAME: "u",
        MSX_PASSWORD: "p",
        MSX_INSECURE_TLS: "maybe",
        MSX_TIMEOUT_MS: "30s",
        MSX_CLIENT_AUTH: "digest",
        MSX_CA_FILE: "/nonexistent/ca.pem",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'MSX_BASE_URL must be an absolute http(s) URL such as https://msx.example.com, got "msx.example.com"',
        ),
        expect.stringContaining(
          'MSX_INSECURE_TLS must be true or false (also 1/0, yes/no), got "maybe"',
        ),
        expect.stringContaining("MSX_TIMEOUT_MS must be a whole number"),
        expect.stringContaining(
          'MSX_CLIENT_AUTH must be one of basic, basic-raw, post, none, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, got "digest"',
        ),
        expect.stringContaining("MSX_CA_FILE: /nonexistent/ca.pem is not a readable file"),
        expect.stringContaining("MSX_CLIENT_ID is not set"),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it("never echoes credentials embedded in a URL or the secrets themselves", () => {
    const error = (() => {
      try {
        loadPlatformConfig({
          ...complete,
          MSX_BASE_URL: "https://admin:hunter2-canary@msx.example.com",
          MSX_TIMEOUT_MS: "-1",
        });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.problems).toHaveLength(2);
    expect(error?.message).toContain("must not contain credentials");
    expect(error?.message).not.toContain("hunter2-canary");
    expect(error?.message).not.toContain(complete.MSX_PASSWORD);
    expect(error?.message).not.toContain(complete.MSX_CLIENT_SECRET);
  });

  it.each([
    ["true", true],
    ["1", true],
    ["YES", true],
    ["false", false],
    ["0", false],
    ["no", false],
  ])("reads MSX_INSECURE_TLS=%s as %s", (text, expected) => {
    expect(loadPlatformConfig({ ...complete, MSX_INSECURE_TLS: text }).insecureTls).toBe(expected);
  });

  it("accepts an existing CA file and a custom timeout and client auth", () => {
    const dir = mkdtempSync(join(tmpdir(), "passgrant-config-"));
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\n");
    const config = loadPlatformConfig({
      ...complete,
      MSX_CA_FILE: caFile,
      MSX_TIMEOUT_MS: "5000",
      MSX_CLIENT_AUTH: "basic-raw",
      MSX_SCOPE: "read write",
    });
    expect(config).toMatchObject({
      caFile,
      timeoutMs: 5000,
      clientAuth: "basic-raw",
      scope: "read write",
    });
  });

  it("does not require what the caller will ask for later, nor a secret for a public client", () => {
    const { MSX_PASSWORD, MSX_CLIENT_SECRET, ...rest } = complete;
    expect(() => loadPlatformConfig(rest, { password: false, clientSecret: false })).not.toThrow();
    expect(() =>
      loadPlatformConfig({ ...rest, MSX_CLIENT_AUTH: "none" }, { password: false }),
    ).not.toThrow();
    expect(problemsOf(() => loadPlatformConfig(rest, { password: false }))).toEqual([
      expect.stringContaining("MSX_CLIENT_SECRET is not set"),
    ]);
  });

  it("refuses plain http:// to another machine, where credentials would travel unencrypted", () => {
    const problems = problemsOf(() =>
      loadPlatformConfig({
        ...complete,
        MSX_BASE_URL: "http://msx.lab.example:8080/",
        MSX_TOKEN_URL: "http://login.lab.example/token",
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        "MSX_BASE_URL uses plain http:// to msx.lab.example:8080, which is not this machine",
      ),
      expect.stringContaining("MSX_TOKEN_URL uses plain http:// to login.lab.example"),
    ]);
    expect(problems[0]).toContain("Use https://msx.lab.example:8080");
    for (const local of ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"]) {
      expect(loadPlatformConfig({ ...complete, MSX_BASE_URL: local }).baseUrl).toBe(local);
    }
  });

  it("asks for MSX_BASE_URL even when only the token URL is set", () => {
    const { MSX_BASE_URL, ...rest } = complete;
    const problems = problemsOf(() =>
      loadPlatformConfig({ ...rest, MSX_TOKEN_URL: "https://login.example.com/token" }),
    );
    expect(problems).toEqual([expect.stringContaining("MSX_BASE_URL is not set")]);
  });
});

describe("hasPlatformConfig", () => {
  it("is false with no platform variables (the demo then uses the sandbox)", () => {
    expect(hasPlatformConfig({ PATH: "/usr/bin", MSX_TIMEOUT_MS: "100", MSX_BASE_URL: "" })).toBe(
      false,
    );
  });
  it("is true as soon as any platform or credential variable is set", () => {
    expect(hasPlatformConfig({ MSX_USERNAME: "superuser" })).toBe(true);
    expect(hasPlatformConfig({ MSX_BASE_URL: "https://msx.example.com" })).toBe(true);
  });
});

describe("tokenHostWarning", () => {
  const sources = (name: string) => (name === "MSX_TOKEN_URL" ? "./.env" : "the environment");
  it("names both hosts and where each URL came from", () => {
    const warning = tokenHostWarning(
      { baseUrl: "https://msx.example.com", tokenUrl: "https://evil.example.net/token" },
      sources,
    );
    expect(warning).toContain("MSX_TOKEN_URL (from ./.env) is on evil.example.net");
    expect(warning).toContain("MSX_BASE_URL (from the environment) is on msx.example.com");
  });

  it("is silent for the same host (another port included) and without a base URL", () => {
    expect(
      tokenHostWarning(
        { baseUrl: "https://msx.example.com", tokenUrl: "https://msx.example.com:8443/token" },
        sources,
      ),
    ).toBeUndefined();
    expect(
      tokenHostWarning({ tokenUrl: "https://evil.example.net/token" }, sources),
    ).toBeUndefined();
  });
});
