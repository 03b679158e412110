import { describe, expect, it } from "vitest";
import { describeLabelled, describeValidationErrors } from "../../src/spec/validation-errors.js";

const error = (instancePath: string, keyword: string, message: string, params = {}) => ({
  instancePath,
  keyword,
  message,
  params,
});

describe("describeValidationErrors (the sandbox's prose)", () => {
  it("names the parameter or field and rewrites required, additionalProperties and enum", () => {
    expect(
      describeValidationErrors([
        error("/query/pageSize", "maximum", "must be <= 1000"),
        error("/requestBody", "required", "must have required property 'name'", {
          missingProperty: "name",
        }),
        error("/query", "additionalProperties", "must NOT have additional properties", {
          additionalProperty: "colour",
        }),
      ]),
    ).toBe(
      "query parameter pageSize must be <= 1000; request body field name is required; query parameter colour is not supported by this operation",
    );
    expect(
      describeValidationErrors([
        error("/query/sortOrder", "enum", "x", { allowedValues: ["asc", "desc"] }),
      ]),
    ).toBe("query parameter sortOrder must be one of: asc, desc");
  });

  it("says a parse error first, keeps three distinct sentences at most", () => {
    expect(describeValidationErrors([error("/requestBody", "parse", "Unexpected token")])).toBe(
      "request body is not valid JSON: Unexpected token",
    );
    const many = ["a", "b", "c", "d"].map((name) =>
      error(`/path/${name}`, "type", "must be string"),
    );
    expect(describeValidationErrors([...many, ...many]).split("; ")).toHaveLength(3);
  });

  it("undoes JSON-pointer escapes", () => {
    expect(
      describeValidationErrors([error("/requestBody/a~1b~0c", "type", "must be string")]),
    ).toBe("request body field a/b~c must be string");
  });
});

describe("describeLabelled (the nock kit's findings)", () => {
  it("quotes the name and keeps ajv's wording", () => {
    expect(
      describeLabelled(
        error("/requestBody/name", "maxLength", "must NOT have more than 128 characters"),
      ),
    ).toBe('request body field "name": must NOT have more than 128 characters');
    expect(
      describeLabelled(error("/requestBody", "required", "must have required property 'name'")),
    ).toBe("request body: must have required property 'name'");
    expect(describeLabelled(error("/path/id", "format", 'must match format "uuid"'))).toBe(
      'path parameter "id": must match format "uuid"',
    );
    expect(describeLabelled(error("/header/x-api-key", "type", "must be string"))).toBe(
      'header "x-api-key": must be string',
    );
  });
});
