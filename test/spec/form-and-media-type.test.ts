import { describe, expect, it } from "vitest";
import { parseForm } from "../../src/spec/form.js";
import { mediaTypeOf } from "../../src/spec/media-type.js";

describe("parseForm", () => {
  it("decodes fields, + as space and percent-escapes", () => {
    expect(parseForm("grant_type=password&username=a+b&password=p%26w%3D").fields).toEqual({
      grant_type: "password",
      username: "a b",
      password: "p&w=",
    });
  });

  it("names each repeated field once and keeps the last value (RFC 6749 §3.2)", () => {
    const { fields, repeated } = parseForm("scope=a&scope=b&x=1&scope=c");
    expect(repeated).toEqual(["scope"]);
    expect(fields.scope).toBe("c");
  });

  it("is not fooled by field names of Object.prototype", () => {
    const { fields, repeated } = parseForm("constructor=1&__proto__=2&toString=3");
    expect(repeated).toEqual([]);
    expect(Object.keys(fields)).toEqual(["constructor", "__proto__", "toString"]);
  });

  it("reads an empty body as no fields", () => {
    expect(parseForm("")).toEqual({ fields: {}, repeated: [] });
  });
});

describe("mediaTypeOf (RFC 9110 §8.3.1)", () => {
  it.each([
    ["application/json", "application/json"],
    ["Application/JSON; charset=UTF-8", "application/json"],
    [" application/x-www-form-urlencoded ;charset=utf-8", "application/x-www-form-urlencoded"],
    ["", undefined],
    [";charset=utf-8", undefined],
    [undefined, undefined],
  ])("%j => %j", (header, expected) => {
    expect(mediaTypeOf(header)).toBe(expected);
  });
});
