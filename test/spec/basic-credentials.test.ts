import { describe, expect, it } from "vitest";
import {
  decodeBasicCredentials,
  formDecodedCredentials,
  splitAuthorization,
} from "../../src/spec/basic-credentials.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("decodeBasicCredentials (RFC 7617 §2)", () => {
  it("splits at the first colon: the secret may hold colons, the id cannot", () => {
    expect(decodeBasicCredentials(b64("client:s3:cr:et"))).toEqual({
      id: "client",
      secret: "s3:cr:et",
    });
    expect(decodeBasicCredentials(b64(":"))).toEqual({ id: "", secret: "" });
    expect(decodeBasicCredentials(b64("id:"))).toEqual({ id: "id", secret: "" });
  });

  it("reads UTF-8 (RFC 7617 §2.1)", () => {
    expect(decodeBasicCredentials(b64("zoë:pässwörd"))).toEqual({ id: "zoë", secret: "pässwörd" });
  });

  it.each([
    ["empty", ""],
    ["no colon", b64("client-secret")],
    ["not base64 at all", "my-client:my-secret"],
    ["missing padding", b64("ab:c").replace(/=+$/, "")],
    ["too much padding", `${b64("abc:d")}==`],
    ["padding in the middle", `YQ==${b64("a:b")}`],
    ["URL-safe alphabet", b64("a?>:b?>").replaceAll("+", "-").replaceAll("/", "_")],
    ["whitespace inside", `${b64("client:secret").slice(0, 4)} ${b64("client:secret").slice(4)}`],
    ["non-zero pad bits (non-canonical)", "YR=="],
    ["not UTF-8", Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")],
  ])("rejects %s", (_, token) => {
    expect(decodeBasicCredentials(token)).toBeUndefined();
  });

  it("accepts both padding lengths and none when none is due", () => {
    for (const text of ["a:b", "ab:c", "ab:cd"]) {
      expect(decodeBasicCredentials(b64(text))).toBeDefined();
    }
  });
});

describe("formDecodedCredentials (RFC 6749 §2.3.1)", () => {
  it("undoes form encoding of id and secret", () => {
    expect(formDecodedCredentials({ id: "my%2Dclient", secret: "a+b%3Ac" })).toEqual({
      id: "my-client",
      secret: "a b:c",
    });
  });

  it("is undefined for malformed percent-encoding", () => {
    expect(formDecodedCredentials({ id: "100%", secret: "x" })).toBeUndefined();
  });
});

describe("splitAuthorization", () => {
  it("splits the scheme from the credentials and trims", () => {
    expect(splitAuthorization("  Basic   abc= ")).toEqual({ scheme: "Basic", credentials: "abc=" });
    expect(splitAuthorization("Bearer")).toEqual({ scheme: "Bearer", credentials: "" });
  });

  it("is undefined for an absent or blank header", () => {
    expect(splitAuthorization(undefined)).toBeUndefined();
    expect(splitAuthorization("   ")).toBeUndefined();
  });
});
