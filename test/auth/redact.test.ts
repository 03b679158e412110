import { describe, expect, it } from "vitest";
import { REDACTED, redact, redactUrl } from "../../src/redact.js";

describe("redact", () => {
  it("masks known secrets, also when URL- or form-encoded", () => {
    const secret = "p@ss w:rd+1";
    const text = `raw ${secret} uri ${encodeURIComponent(secret)} form ${new URLSearchParams({ s: secret }).toString().slice(2)}`;
    const out = redact(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain("p%40ss+w%3Ard%2B1");
    expect(out.split(REDACTED)).toHaveLength(4);
  });

  it("ignores secrets too short to mask safely", () => {
    expect(redact("a b c", ["a"])).toBe("a b c");
  });

  it("masks Authorization header values", () => {
    expect(redact("Authorization: Basic dXNlcjpwYXNz")).toBe(`Authorization: Basic ${REDACTED}`);
    expect(redact("authorization: bearer abc.def-ghi")).toBe(`authorization: bearer ${REDACTED}`);
  });

  it("masks secret pairs in forms and query strings", () => {
    expect(redact("grant_type=password&username=u&password=p%40ss&client_secret=x")).toBe(
      `grant_type=password&username=u&password=${REDACTED}&client_secret=${REDACTED}`,
    );
    expect(redact("?access_token=abc&refresh_token=def")).toBe(
      `?access_token=${REDACTED}&refresh_token=${REDACTED}`,
    );
  });

  it("masks JSON members, including a value cut off by truncation", () => {
    expect(redact('{"access_token":"abc","n":1,"password" : "p\\"w"}')).toBe(
      `{"access_token":"${REDACTED}","n":1,"password" : "${REDACTED}"}`,
    );
    expect(redact('{"refresh_token":"SECRETTOKENVAL')).toBe(`{"refresh_token":"${REDACTED}"`);
  });

  it("masks JWT-looking strings", () => {
    expect(redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-_ end")).toBe(
      `token ${REDACTED} end`,
    );
  });

  it("masks userinfo in URLs inside text", () => {
    expect(redact("proxy http://user:pw@proxy:3128 failed")).toBe(
      `proxy http://${REDACTED}@proxy:3128 failed`,
    );
  });

  it("leaves ordinary text alone", () => {
    const text =
      "GET https://msx.test/idm/api/v8/tenants?page=0 answered HTTP 404: Tenant not found";
    expect(redact(text)).toBe(text);
  });
});

describe("redactUrl", () => {
  it("drops userinfo and masks sensitive query parameters", () => {
    expect(redactUrl("https://user:pw@h.example/p?access_token=abc&page=1#frag")).toBe(
      `https://h.example/p?access_token=${REDACTED}&page=1`,
    );
  });

  it("keeps ordinary URLs as they are", () => {
    expect(redactUrl(new URL("https://msx.test/idm/v2/token"))).toBe(
      "https://msx.test/idm/v2/token",
    );
  });

  it("falls back to redact() for text that is not a URL", () => {
    expect(redactUrl("not a url password=x")).toBe(`not a url password=${REDACTED}`);
  });
});

describe("redact, in prose", () => {
  it("leaves words after 'Basic' and 'Bearer' alone, but masks credential-shaped values", () => {
    expect(redact("HTTP Basic with the id and secret form-encoded first")).toBe(
      "HTTP Basic with the id and secret form-encoded first",
    );
    expect(redact("sent Basic dXNlcjpwYXNzd29yZA== to the server")).toBe(
      `sent Basic ${REDACTED} to the server`,
    );
    expect(redact("a Bearer token was refused")).toBe("a Bearer token was refused");
    expect(redact("got Bearer 8f2c1e0a")).toBe(`got Bearer ${REDACTED}`);
  });

  it("masks any Authorization header value, however short or plain", () => {
    expect(redact("authorization: Basic YTpi")).toBe(`authorization: Basic ${REDACTED}`);
    expect(redact('"Proxy-Authorization": "Basic abcd"')).not.toContain("abcd");
    expect(redact("Authorization: sometoken")).toBe(`Authorization: ${REDACTED}`);
  });
});

describe("redact, a known secret that is also an English word", () => {
  // A leak is worse than a mangled sentence: a short password a server echoes in prose is masked.
  it("masks it everywhere, in the middle of a sentence too", () => {
    expect(redact("user bob password hunter rejected", ["hunter"])).toBe(
      `user bob password ${REDACTED} rejected`,
    );
    expect(redact("unknown client id or wrong client secret", ["wrong"])).toBe(
      `unknown client id or ${REDACTED} client secret`,
    );
    expect(redact("the secret 'wrong' was refused", ["wrong"])).toBe(
      `the secret '${REDACTED}' was refused`,
    );
    expect(redact("id=abc&x=wrong&y", ["wrong"])).toBe(`id=abc&x=${REDACTED}&y`);
  });
});
