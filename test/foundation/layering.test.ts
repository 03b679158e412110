import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Which way imports go: core (auth, transport, client and the shared modules at the top of src/)
// is a library of its own; the CLI, its config, the sandbox and the nock kit build on it, never
// the other way round. Core speaks in option names; only src/cli (through src/config/variables.ts)
// names MSX_* variables and flags.
const src = resolve(import.meta.dirname, "../../src");
const CORE = ["auth", "transport", "client", "cache"];
const NOT_FOR_CORE = ["cli", "config", "sandbox", "testing"];

interface SourceFile {
  /** Relative to src/, with forward slashes. */
  path: string;
  text: string;
  /** The src/ files it imports (relative imports only), relative to src/. */
  imports: string[];
}

async function sources(): Promise<SourceFile[]> {
  const entries = await readdir(src, { withFileTypes: true, recursive: true });
  const files: SourceFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const full = join(entry.parentPath, entry.name);
    const text = await readFile(full, "utf8");
    const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map(
      ([, specifier = ""]) =>
        relative(src, resolve(dirname(full), specifier))
          .replace(/\.js$/, ".ts")
          .split("\\")
          .join("/"),
    );
    files.push({ path: relative(src, full).split("\\").join("/"), text, imports });
  }
  return files;
}

const areaOf = (path: string) => (path.includes("/") ? path.split("/")[0] : "(root)");
const isCore = (path: string) => CORE.includes(areaOf(path) ?? "") || !path.includes("/");

/** String literals and template texts, comments left out: what a user can read at run time. */
function literals(text: string): string[] {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...withoutComments.matchAll(/"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)].map(([s]) => s);
}

describe("layering", async () => {
  const files = await sources();

  it("core modules import nothing from cli, config, sandbox or testing", () => {
    const wrong = files
      .filter((file) => isCore(file.path) && file.path !== "index.ts")
      .flatMap((file) =>
        file.imports
          .filter((target) => NOT_FOR_CORE.includes(areaOf(target) ?? ""))
          .map((target) => `${file.path} -> ${target}`),
      );
    expect(wrong).toEqual([]);
    // The check sees the imports it is meant to see.
    expect(files.find((f) => f.path === "auth/provider-config.ts")?.imports).toContain(
      "auth/client-auth.ts",
    );
  });

  it("core messages name options, not MSX_* variables or CLI flags", () => {
    const found = files
      .filter((file) => isCore(file.path) && file.path !== "index.ts")
      .flatMap((file) =>
        literals(file.text)
          .filter((literal) => /MSX_[A-Z]|(?<![-\w])--[a-z][a-z-]+/.test(literal))
          .map((literal) => `${file.path}: ${literal}`),
      );
    expect(found).toEqual([]);
  });

  it("the client authentication methods are listed in one place", () => {
    const listing = files
      .filter((file) => /["'`]basic-raw["'`]/.test(file.text))
      .map((file) => file.path);
    expect(listing).toEqual(["auth/client-auth.ts"]);
  });
});
