import { describe, expectTypeOf, it } from "vitest";
import type { OAuthError, OAuthErrorCode } from "../../src/index.js";

describe("OAuthError.error", () => {
  it("offers the RFC 6749 §5.2 and RFC 8628 codes and accepts any other string", () => {
    expectTypeOf<OAuthError["error"]>().toEqualTypeOf<OAuthErrorCode>();
    expectTypeOf<"invalid_grant">().toExtend<OAuthErrorCode>();
    expectTypeOf<"slow_down">().toExtend<OAuthErrorCode>();
    expectTypeOf<string>().toExtend<OAuthErrorCode>();
    // The literals survive: a plain `string` would have swallowed them.
    expectTypeOf<Extract<OAuthErrorCode, "invalid_client">>().toEqualTypeOf<"invalid_client">();
  });
});
