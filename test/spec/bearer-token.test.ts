import { describe, expect, it } from "vitest";
import { bearerCredentials } from "../../src/spec/bearer-token.js";

describe("bearerCredentials (RFC 6750 §2.1)", () => {
  it("reads the token, any case of the scheme, blanks around it", () => {
    expect(bearerCredentials("Bearer abc.def-ghi_~+/=")).toEqual({
      kind: "token",
      token: "abc.def-ghi_~+/=",
    });
    expect(bearerCredentials("bearer \t tok \t")).toEqual({ kind: "token", token: "tok" });
  });

  it("is absent without a header or with another scheme (no error code, RFC 6750 §3.1)", () => {
    expect(bearerCredentials(undefined)).toEqual({ kind: "absent" });
    expect(bearerCredentials("Basic YTpi")).toEqual({ kind: "absent" });
    expect(bearerCredentials("Bearertoken")).toEqual({ kind: "absent" });
  });

  it("is malformed for no token, two tokens, or characters outside visible ASCII", () => {
    for (const header of ["Bearer", "Bearer ", "Bearer a b", "Bearer tök", "Bearer a\u0000"]) {
      expect(bearerCredentials(header)).toEqual({ kind: "malformed" });
    }
  });
});
