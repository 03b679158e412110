import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Builds dist/ once before the test files run, the way `npm run build` does (tsc, then the
 * bundled `passgrant` executable in dist/bin/ and the bundled library entries in dist/lib/): the
 * CLI tests spawn `node dist/bin/passgrant.js` as a separate process, exactly as a user or a
 * script runs the installed `passgrant`, and the package tests import what the package ships.
 */
export default async function setup(): Promise<void> {
  const root = new URL("../../", import.meta.url);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: fileURLToPath(root),
      stdio: "pipe",
    });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    throw new Error(`tsc -p tsconfig.build.json failed; the CLI tests need dist/:\n${output}`);
  }
  const { bundleCli } = await import(new URL("scripts/bundle-cli.mjs", root).href);
  const { bundleLibrary } = await import(new URL("scripts/bundle-library.mjs", root).href);
  await Promise.all([bundleCli(), bundleLibrary()]);
}
