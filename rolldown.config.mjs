// Bundles the `passgrant` executable (dist/bin/) from tsc's output, dependencies included.
//
// Why: a script that runs `TOKEN=$(passgrant token --cache)` pays for module loading on every
// run, and resolving and reading the several hundred files of zod and undici one by one cost more
// than everything else the command does. One bundle (plus lazily loaded chunks for the sandbox and
// the commands not run) loads in a fraction of the time. The library entry points in dist/ stay
// unbundled, so applications dedupe dependencies as usual.
//
// dist/bin/ sits at the same depth as dist/<area>/, so `new URL("../../openapi/msx.yaml",
// import.meta.url)` and `../../package.json` still resolve to the package root.
import { defineConfig } from "rolldown";

export default defineConfig({
  input: { passgrant: "dist/cli/main.js" },
  platform: "node",
  output: {
    dir: "dist/bin",
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    sourcemap: true,
  },
  logLevel: "warn",
});
