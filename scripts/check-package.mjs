// `npm run check:package` (a step of .ci/run): packs the tarball as `npm publish` would (prepack
// builds dist/ first) and lints what a user would install: publint for package.json's entry
// points and files, @arethetypeswrong/cli for the types each entry point resolves to.
//
// passgrant is ESM only, so attw checks the ESM resolutions (node16 from ESM, bundler). A CommonJS
// require() deliberately lands on dist/esm-only.cjs, which throws saying so (or, where Node can
// require ES modules, on the package through "module-sync", which TypeScript does not know): attw
// reports that as false-esm (ESM types, CommonJS file) without a resolution kind, so the profile
// does not cover it and the rule is turned off by name. openapi/msx.yaml is an export for reading
// the spec file, not a module.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const shell = process.platform === "win32";

function step(command, args) {
  console.log(`> ${command} ${args.join(" ")}`);
  return spawnSync(command, args, { cwd: root, stdio: "inherit", shell }).status === 0;
}

const dir = mkdtempSync(join(tmpdir(), "passgrant-check-package-"));
let ok = false;
try {
  if (step(npm, ["pack", "--silent", "--pack-destination", dir])) {
    const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
    if (tarball) {
      const path = join(dir, tarball);
      const publint = step(npx, ["--no-install", "publint", "run", path, "--strict"]);
      const attw = step(npx, [
        "--no-install",
        "attw",
        path,
        "--profile",
        "esm-only",
        "--ignore-rules",
        "false-esm",
        "--exclude-entrypoints",
        "openapi/msx.yaml",
      ]);
      ok = publint && attw;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
