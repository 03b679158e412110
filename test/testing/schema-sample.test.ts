import { describe, expect, it } from "vitest";
import { sampleOf } from "../../src/testing/schema-sample.js";

describe("sampleOf: a default reply value valid against a schema", () => {
  it("prefers the schema's example, then examples, const, default and the first enum value", () => {
    expect(sampleOf({ type: "string", example: "ex" })).toBe("ex");
    expect(sampleOf({ type: "string", examples: ["first"] } as never)).toBe("first");
    expect(sampleOf({ type: "integer", default: 7 })).toBe(7);
    expect(sampleOf({ type: "string", enum: ["asc", "desc"] })).toBe("asc");
  });

  it("meets string lengths and formats, and number bounds", () => {
    expect(sampleOf({ type: "string", minLength: 10 })).toHaveLength(10);
    expect(sampleOf({ type: "string", maxLength: 2 })).toBe("st");
    expect(sampleOf({ type: "string", format: "uuid" })).toMatch(/^[0-9a-f-]{36}$/);
    expect(sampleOf({ type: "string", format: "date-time" })).toBe("2024-01-01T00:00:00Z");
    expect(sampleOf({ type: "integer", minimum: 1 })).toBe(1);
    expect(sampleOf({ type: "integer", minimum: 1, exclusiveMinimum: true })).toBe(2);
    expect(sampleOf({ type: "number", maximum: -3 })).toBe(-3);
  });

  it("builds objects (required members always), arrays, allOf merges and the first oneOf", () => {
    expect(
      sampleOf({
        allOf: [
          { type: "object", required: ["a"], properties: { a: { type: "boolean" } } },
          { type: "object", properties: { b: { type: "array", items: { type: "integer" } } } },
        ],
      }),
    ).toEqual({ a: true, b: [0] });
    expect(sampleOf({ oneOf: [{ type: "string", format: "email" }, { type: "integer" }] })).toBe(
      "user@example.com",
    );
    expect(sampleOf({ type: "array", items: { type: "string" }, maxItems: 0 })).toEqual([]);
  });

  it("stops on a self-referencing schema instead of recursing forever", () => {
    const node: Record<string, unknown> = { type: "object", required: ["child"], properties: {} };
    (node.properties as Record<string, unknown>).child = node;
    expect(() => sampleOf(node as never)).not.toThrow();
  });
});
