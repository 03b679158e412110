import { Agent, ProxyAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createDispatchers, type DispatcherSet } from "../../src/transport/dispatcher.js";
import { isLoopbackHost } from "../../src/transport/loopback.js";
import { parseNoProxy } from "../../src/transport/no-proxy.js";

describe("parseNoProxy (curl semantics)", () => {
  const matches = (value: string, url: string) => parseNoProxy(value)(new URL(url));

  it("matches a host and its subdomains, with or without a leading dot", () => {
    expect(matches("example.com", "https://example.com/x")).toBe(true);
    expect(matches("example.com", "https://api.example.com/x")).toBe(true);
    expect(matches(".example.com", "https://api.example.com/x")).toBe(true);
    expect(matches("*.example.com", "https://api.example.com/x")).toBe(true);
    expect(matches("example.com", "https://notexample.com/x")).toBe(false);
  });

  it("honours ports, lists, and *", () => {
    expect(matches("internal:8443", "https://internal:8443/")).toBe(true);
    expect(matches("internal:8443", "https://internal/")).toBe(false);
    expect(matches("a.test, b.test c.test", "https://c.test/")).toBe(true);
    expect(matches("*", "https://anything/")).toBe(true);
    expect(matches("", "https://anything/")).toBe(false);
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["app.localhost", true],
    ["127.0.0.1", true],
    ["127.12.0.9", true],
    ["[::1]", true],
    ["msx.example.com", false],
    ["127.0.0.1.nip.io", false],
    ["10.0.0.1", false],
  ])("%s => %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("createDispatchers", () => {
  let set: DispatcherSet | undefined;
  afterEach(() => set?.close());

  it("uses HTTPS_PROXY for https targets and bypasses NO_PROXY and loopback", async () => {
    set = createDispatchers({
      tls: {},
      env: { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: ".internal" },
    });
    expect(await set.forUrl(new URL("https://msx.example.com/"))).toBeInstanceOf(ProxyAgent);
    expect(await set.forUrl(new URL("https://msx.internal/"))).toBeInstanceOf(Agent);
    expect(await set.forUrl(new URL("https://127.0.0.1:8443/"))).toBeInstanceOf(Agent);
    expect(await set.forUrl(new URL("http://msx.example.com/"))).toBeInstanceOf(Agent);
  });

  it("ignores the environment with proxy: none", async () => {
    set = createDispatchers({ tls: {}, proxy: "none", env: { HTTPS_PROXY: "http://proxy:3128" } });
    expect(await set.forUrl(new URL("https://msx.example.com/"))).toBeInstanceOf(Agent);
  });
});
