import { describe, expect, it } from "vitest";
import { isWildcardAddress, reachableHost } from "../../src/sandbox/listen-address.js";

describe("the sandbox URL's host", () => {
  it.each([
    ["0.0.0.0", "127.0.0.1"],
    ["::", "[::1]"],
    ["[::]", "[::1]"],
    ["0:0:0:0:0:0:0:0", "[::1]"],
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "[::1]"],
    ["localhost", "localhost"],
    ["192.0.2.7", "192.0.2.7"],
  ])("binding to %s gives a URL to %s", (bind, host) => {
    expect(reachableHost(bind)).toBe(host);
  });

  it("tells wildcard addresses from others", () => {
    expect(["0.0.0.0", "::", "[::]", "0::0"].every(isWildcardAddress)).toBe(true);
    expect(["::1", "127.0.0.1", "0.0.0.1", "localhost", "10.0.0.0"].some(isWildcardAddress)).toBe(
      false,
    );
  });
});
