import { readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";

const kit = new URL("../../src/testing/", import.meta.url);

it("the kit imports no test runner (users may run it under any)", () => {
  const files = readdirSync(kit).filter((name) => name.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(3);
  for (const name of files) {
    const source = readFileSync(new URL(name, kit), "utf8");
    const imports = [...source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);
    for (const specifier of imports) {
      expect(specifier, `${name} imports ${specifier}`).not.toMatch(/^(vitest|jest|@jest|mocha)/);
    }
  }
});
