import { describe, expect, it } from "vitest";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { ConfigError } from "../../src/errors.js";

/** Core code speaks in option names; only the CLI names MSX_* variables (src/config/variables.ts). */
describe("the library's configuration errors", () => {
  it("name options, not the CLI's MSX_* variables or flags", () => {
    const attempts = [
      () =>
        createTokenProvider({
          tokenUrl: "not a url",
          clientId: "",
          grant: { type: "password", username: "u", password: "p" },
        }),
      () =>
        createTokenProvider({
          tokenUrl: "https://msx.example.com/idm/v2/token",
          clientId: "c",
          clientSecret: "s",
          grant: { type: "password", username: "", password: "" },
        }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toMatch(/MSX_|--password-stdin/);
    }
  });
});
