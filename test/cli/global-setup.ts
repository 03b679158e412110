import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Builds dist/ once before the test files run: the CLI tests spawn `node dist/cli/main.js` as a
 * separate process, exactly as a user or a script would run the installed `passgrant`.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "pipe",
    });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    throw new Error(`npx tsc -p tsconfig.build.json failed; the CLI tests need dist/:\n${output}`);
  }
}
