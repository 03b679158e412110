import { describe, expectTypeOf, it } from "vitest";
import type { ApiMock, InterceptedRequest } from "../../src/testing/index.js";
import type { operations } from "../fixtures/generated/third-party-api.js";

declare const api: ApiMock<operations>;
declare const untyped: ApiMock;

describe("mockApi's types flow from the generated operations type", () => {
  it("has one method per operationId, and chains", () => {
    expectTypeOf(api.addPet).returns.toEqualTypeOf<ApiMock<operations>>();
    // @ts-expect-error no such operation in the document
    api.adoptPet();
  });

  it("types statuses and bodies by operation", () => {
    api.addPet({ status: 201, body: { id: 1, adopted: false, name: "Rex", species: "dog" } });
    api.addPet({ status: 422, body: { title: "bad", status: 422 } });
    // @ts-expect-error species is an enum
    api.addPet({ body: { id: 1, adopted: false, name: "Rex", species: "dragon" } });
    // @ts-expect-error 404 is not documented for addPet
    api.addPet({ status: 404 });
  });

  it("gives path parameters as the decoded strings the kit sees", () => {
    api.getPet({ match: { params: { petId: "7" } } });
    api.getPet({
      body: (request) => {
        expectTypeOf(request).toEqualTypeOf<InterceptedRequest<"getPet", operations>>();
        expectTypeOf(request.params.petId).toEqualTypeOf<string>();
        return { id: Number(request.params.petId), adopted: true, name: "x", species: "cat" };
      },
    });
  });

  it("takes any operationId and any body without types", () => {
    untyped.expect("anything", { status: 200, body: { free: "form" } });
  });
});
