import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createMsxClient } from "../../src/client/msx.js";
import { ConfigError } from "../../src/errors.js";

function configErrorOf(baseUrl: string): ConfigError {
  try {
    createMsxClient({ baseUrl });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`createMsxClient accepted ${baseUrl}`);
}

describe("createMsxClient's baseUrl", () => {
  it("must be an absolute http(s) URL", () => {
    expect(configErrorOf("msx.example.com").message).toMatch(/absolute http\(s\) URL/);
    expect(configErrorOf("ftp://msx.example.com").message).toMatch(/http or https, got ftp:/);
  });

  it("refuses userinfo with a ConfigError that does not repeat the password", () => {
    const error = configErrorOf("https://admin:baseurl-canary-77c@msx.example.com");
    expect(error.message).toMatch(/must not contain a user name or password/);
    const shown = [error.message, JSON.stringify(error), inspect(error, { depth: 10 })].join("\n");
    expect(shown).not.toContain("baseurl-canary-77c");
  });

  it("drops trailing slashes, so spec paths are appended once", async () => {
    const seen: string[] = [];
    const client = createMsxClient({
      baseUrl: "https://msx.example.com/prefix//",
      fetch: async (request) => {
        seen.push(request.url);
        return new Response(null, { status: 204 });
      },
    });
    await client.DELETE("/idm/api/v8/tenants/{id}", { params: { path: { id: "x" } } });
    expect(seen).toEqual(["https://msx.example.com/prefix/idm/api/v8/tenants/x"]);
  });
});
