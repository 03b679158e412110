import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { isStale } from "../../scripts/build-if-stale.mjs";

const staleIn = isStale as (dir: string) => boolean;

// `npm start`'s prestart rebuilds only when a source is newer than dist/.build-stamp.
describe("scripts/build-if-stale.mjs", () => {
  let dir: string;
  const at = (path: string, seconds: number) => {
    const full = join(dir, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, "x");
    utimesSync(full, seconds, seconds);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "passgrant-stale-"));
    at("src/index.ts", 1_000);
    at("openapi/msx.yaml", 1_000);
    at("package.json", 1_000);
    for (const folder of ["src", "openapi"]) utimesSync(join(dir, folder), 1_000, 1_000);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is stale when dist/ was never stamped by a build", () => {
    expect(staleIn(dir)).toBe(true);
  });

  it("is fresh when the stamp is newer than every source", () => {
    at("dist/.build-stamp", 2_000);
    expect(staleIn(dir)).toBe(false);
  });

  it.each(["src/index.ts", "openapi/msx.yaml", "package.json", "scripts/bundle-cli.mjs"])(
    "is stale when %s changed after the build",
    (path) => {
      at("dist/.build-stamp", 2_000);
      at(path, 3_000);
      expect(staleIn(dir)).toBe(true);
    },
  );
});
