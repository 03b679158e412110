// Bundles the library's entry points (`passgrant`, `passgrant/testing`, `passgrant/sandbox`) into
// dist/lib/ from tsc's output. Run by `npm run build` after tsc, and by the test suite's global
// setup.
//
// Why: tsc's output is some 60 small ES modules for the root alone, and Node resolves, reads and
// compiles each one in turn: `import("passgrant")` took 60-85 ms that way against 22-35 ms
// bundled (BENCHMARKS.md). The three entries are built together, so the modules they share (the
// error classes first of all) exist once and `instanceof` holds across them. Dependencies stay
// external: an application dedupes them as usual, and the optional peers keep their "what to
// install" errors. Not minified: a library's stack traces should stay readable, and the package
// ships no src/ for source maps to point at.
//
// `passgrant/sandbox` and `passgrant/testing` must say which optional peers to install before
// anything needing them loads. A bundle hoists every module's imports above the entry's own code,
// so each of those entries is a small generated module (guardedEntry) that runs the check, then
// imports the real entry and re-exports its names.
//
// dist/lib/ sits at the same depth as dist/<area>/, so `new URL("../../openapi/msx.yaml",
// import.meta.url)` and `../../package.json` still resolve to the package root.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { nobleWithoutWebCrypto } from "./noble-without-webcrypto.mjs";
import { replaceFolder } from "./replace-folder.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function bundleLibrary() {
  const input = {
    index: "dist/index.js",
    testing: await guardedEntry("testing"),
    sandbox: await guardedEntry("sandbox"),
  };
  await replaceFolder(new URL("../dist/lib", import.meta.url), (dir) =>
    build({
      cwd: root,
      input,
      platform: "node",
      logLevel: "warn",
      // Every bare specifier (dependencies, optional peers and node: builtins) but @noble/hashes,
      // a build-time dependency bundled without its WebCrypto lookup (noble-without-webcrypto.mjs).
      external: [/^(?!@noble\/hashes\/)[^./\0]/],
      plugins: [builtinsByRequire, nobleWithoutWebCrypto],
      // The sessions' lazy imports of spec/operations and spec/resolve-ref keep them out of the
      // executable's start-up; here they sit in the core chunk anyway (a few KiB), by design.
      checks: { ineffectiveDynamicImport: false },
      output: {
        dir,
        format: "esm",
        entryFileNames: "[name].js",
        chunkFileNames: "[name]-[hash].js",
        // Without a group, the root's code came in eight chunks (cut where the three entries and
        // the lazy imports share modules), and Node resolves, reads and links each file of an
        // ES module graph in turn: about a third of `import("passgrant")`. Everything the root
        // loads at import goes into one chunk instead; what loads on demand (the optional
        // peers behind spec documents, browser sign-in) and the sandbox and kit stay apart.
        codeSplitting: { groups: [{ name: "core", test: inLibraryCore }] },
        sourcemap: false,
        minify: false,
        keepNames: true,
        comments: { legal: true, annotation: true, jsdoc: false },
      },
    }),
  );
}

/**
 * Node built-ins through `require`, not `import`, in the bundle's chunks. An ES module import of
 * a built-in builds a facade over all its exports; for node:fs that reads `fs.promises` and
 * `fs.ReadStream`, loading Node's streams, readline and fs/promises: about 4 ms of
 * `import("passgrant")` for modules it never uses. `require` returns the module as it is. Each
 * `import { a, b as c } from "node:x"` line of a chunk becomes `const { a, b: c } = ...`; any
 * other form of built-in import fails the build rather than being left half-converted.
 */
const builtinsByRequire = {
  name: "builtins-by-require",
  renderChunk(code, chunk) {
    const named = /^import \{ ([^}]+) \} from "(node:[a-z_/]+)";$/gm;
    let first = true;
    const converted = code.replace(named, (line, names, specifier) => {
      if (specifier === "node:module") return line;
      const prefix = first ? "const __require = __createRequire(import.meta.url);\n" : "";
      first = false;
      return `${prefix}const { ${names.replaceAll(" as ", ": ")} } = __require("${specifier}");`;
    });
    const leftover = /^import [^;]* from "node:(?!module")[^"]+";$/m.exec(converted);
    if (leftover) throw new Error(`${chunk.fileName}: cannot convert "${leftover[0]}"`);
    if (first) return null;
    return `import { createRequire as __createRequire } from "node:module";\n${converted}`;
  },
};

/** Whether the module `id` (a tsc output file) is loaded by `import("passgrant")` itself. */
function inLibraryCore(id) {
  const match = /[\\/]dist[\\/](.+)\.js$/.exec(id);
  if (!match || id.includes("node_modules")) return false;
  const path = match[1].replaceAll("\\", "/");
  if (/^(sandbox|testing)\//.test(path)) return false;
  // The optional peers, and what reads documents through them (spec/peers.ts), load on demand.
  if (/^spec\/(peers|document|router|msx-spec)$/.test(path)) return false;
  // Sessions load on their first createSession (create-session-on-demand.ts); their errors are
  // exported from the root, so they stay here.
  if (path.startsWith("session/"))
    return path === "session/errors" || path === "session/create-session-on-demand";
  return !/^auth\/authorization-code-(flow|listener)$/.test(path);
}

/**
 * Writes dist/AREA/guarded-entry.js: AREA's peer check (its peers-installed module, which imports
 * no peer), then AREA's entry point through a dynamic import, its names re-exported. Returns the
 * path, relative to the package root.
 */
async function guardedEntry(area) {
  // The entry's export names, read by bundling it without writing (importing it here would need
  // its peers resolvable from wherever this script runs).
  const { output } = await build({
    cwd: root,
    input: `dist/${area}/index.js`,
    platform: "node",
    logLevel: "silent",
    external: [/^[^./]/],
    write: false,
  });
  const names = [...output[0].exports].sort();
  const file = `dist/${area}/guarded-entry.js`;
  writeFileSync(
    new URL(`../${file}`, import.meta.url),
    [
      "// Generated by scripts/bundle-library.mjs.",
      'import "./peers-installed.js";',
      'const entry = await import("./index.js");',
      `export const { ${names.join(", ")} } = entry;`,
      "",
    ].join("\n"),
  );
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleLibrary();
