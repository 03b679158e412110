import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findCycles, importGraph } from "./import-graph.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const graph = importGraph(SRC);
const layer = (module: string) => module.split("/")[0] ?? module;

describe("the module structure of src/", () => {
  it("finds the modules (the walk works)", () => {
    expect(graph.get("sandbox/routing.ts")).toContain("spec/router.ts");
  });

  it("has no module over 400 lines (split a module that grows past it by concern)", () => {
    const long = [...graph.keys()]
      .map(
        (module) => [module, readFileSync(join(SRC, module), "utf8").split("\n").length] as const,
      )
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it("has no import cycle, type-only imports included", () => {
    expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
  });

  it("keeps the spec module below everything: it imports only itself, the root errors and the optional-peer check", () => {
    for (const [module, imports] of graph) {
      if (layer(module) !== "spec") continue;
      for (const target of imports)
        expect([module, layer(target)]).toEqual([
          module,
          expect.stringMatching(/^(spec|errors\.ts|peers)$/),
        ]);
    }
  });

  it("lets the sandbox and the nock kit read the protocol from src/spec, not from the client or auth layers", () => {
    for (const [module, imports] of graph) {
      if (layer(module) !== "sandbox" && layer(module) !== "testing") continue;
      for (const target of imports) {
        expect([module, layer(target)]).not.toEqual([
          module,
          expect.stringMatching(/^(auth|client|cli|config)$/),
        ]);
      }
    }
  });
});
