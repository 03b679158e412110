// Bundles the `passgrant` executable into dist/bin/ from tsc's output, dependencies included.
// Run by `npm run build` after tsc, and by the test suite's global setup.
//
// Why: a script that runs `TOKEN=$(passgrant token --cache)` pays for module loading on every
// run, and resolving and reading the several hundred files of zod and undici one by one cost more
// than everything else the command does. One bundle (plus chunks, loaded only by the commands that
// need them, for the sandbox and each command) loads in a fraction of the time. The library entry
// points (bundle-library.mjs) keep their dependencies external, so applications dedupe them.
//
// dist/bin/ sits at the same depth as dist/<area>/, so `new URL("../../openapi/msx.yaml",
// import.meta.url)` and `../../package.json` still resolve to the package root.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { nobleWithoutWebCrypto } from "./noble-without-webcrypto.mjs";
import { replaceFolder } from "./replace-folder.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function bundleCli() {
  await replaceFolder(new URL("../dist/bin", import.meta.url), async (dir) => {
    await build({
      cwd: root,
      input: { passgrant: "dist/cli/main.js" },
      platform: "node",
      logLevel: "warn",
      plugins: [bundledSpecPeers, nobleWithoutWebCrypto],
      // undici is a dependency the package installs anyway, and the executable loads it only for a
      // CA file, insecure TLS or a proxy. Bundled, it was 420 KB of the 600 KB budget; from
      // node_modules it loads about 20 ms slower (48-69 ms against 33-36 ms here), for those users only.
      // dotenv is required (not imported) by src/config/environment.ts when a .env file is read,
      // so it too comes from node_modules, where the package's dependencies put it.
      external: ["undici"],
      output: {
        dir,
        // CommonJS, not ES modules: Node starts a CommonJS entry without its ES module loader,
        // and `require("node:fs")` is the module itself where `import` builds a facade over every
        // export (reading `fs.promises` loads the streams stack and readline). About 9 ms of a
        // cached `passgrant token --cache` on the bench machine, and some 40 fewer Node modules.
        format: "cjs",
        entryFileNames: "[name].js",
        chunkFileNames: "[name]-[hash].js",
        // Without groups, rolldown cut the token command's code into some 30 chunks along the
        // dynamic imports; each is resolved, read and compiled in turn, which cost a cached
        // `passgrant token --cache` about 15% of its time. The modules most commands run (see
        // inCoreChunk) go into one chunk instead; commands and heavy optional parts stay apart.
        codeSplitting: { groups: [{ name: "core", test: inCoreChunk }] },
        // The package ships no src/, so source maps would point at files a user does not have;
        // and minified, the executable fits the package's size budget (600 KB packed, with the
        // sandbox's validator bundled). Class and function names are kept: errors are
        // named by `new.target.name`.
        sourcemap: false,
        minify: true,
        keepNames: true,
        comments: { legal: true, annotation: false, jsdoc: false },
      },
    });
    // The package is `"type": "module"`; this folder's .js files are CommonJS.
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  });
}

/**
 * src/spec/peers.ts loads the spec's optional peers with a top-level await, which CommonJS cannot
 * have. The executable bundles those packages and has no install to check, so it gets the same
 * names through static imports instead.
 */
const bundledSpecPeers = {
  name: "bundled-spec-peers",
  resolveId(source, importer) {
    if (importer && /[\\/]spec[\\/]peers\.js$/.test(join(importer, "..", source))) {
      return "\0bundled-spec-peers";
    }
    return undefined;
  },
  load(id) {
    if (id !== "\0bundled-spec-peers") return undefined;
    return [
      'import * as backend from "openapi-backend";',
      'import * as formats from "ajv-formats";',
      'import * as yaml from "yaml";',
      "export const { OpenAPIBackend, OpenAPIRouter } = backend;",
      "export const addFormats = formats.default;",
      "export const { parse: parseYaml } = yaml;",
    ].join("\n");
  },
};

/**
 * Whether the module `id` (a tsc output file) belongs in the executable's core chunk: the
 * foundation, transport, config, cache, client and auth modules, and the CLI's shared modules.
 * Not the entry (src/cli/main.ts: its top-level await would wait on a command chunk that imports
 * the chunk holding it), not the commands, and not what only some commands load: the sandbox,
 * the spec validator, client assertions (jose), browser sign-in, completion, api and status.
 */
function inCoreChunk(id) {
  const match = /[\\/]dist[\\/](.+)\.js$/.exec(id);
  if (!match || id.includes("node_modules")) return false;
  const path = match[1].replaceAll("\\", "/");
  if (/^(errors|redact|drop-undefined|lazy-builtins|private-file|suggest)$/.test(path)) return true;
  if (/^(transport|config|cache|client)\//.test(path)) return true;
  if (path.startsWith("auth/")) return !/(client-assertion|authorization-code)/.test(path);
  if (/^spec\/(grants|media-type|basic-credentials|bearer-token|form|msx-operations)$/.test(path)) {
    return true;
  }
  if (/^cli\/[^/]+$/.test(path)) {
    return !/(main|completion|api-|browser|status|jmespath|profile-view|tenant-output|progress)/.test(
      path,
    );
  }
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
