// `npm start`'s prestart: builds dist/ only when something it is built from changed since the last
// `npm run build` (which ends by writing dist/.build-stamp). A rebuild takes some 15 s; the demo
// itself 2 s.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
/** What dist/ is built from: folders (walked) and single files, relative to the package root. */
const SOURCES = [
  "src",
  "generated",
  "openapi",
  "scripts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

/** The newest modification time (ms) under `path`, or 0 when it does not exist. */
function newest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs; // a deleted file shows as its folder's change
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** True when `dir`/dist was never built by `npm run build`, or a source changed since. */
export function isStale(dir = root) {
  const stamp = newest(join(dir, "dist/.build-stamp"));
  if (stamp === 0) return true;
  return SOURCES.some((source) => newest(join(dir, source)) > stamp);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (isStale()) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["run", "--silent", "build"], {
      cwd: root,
      stdio: "inherit",
      shell: process.platform === "win32",
    });
    process.exit(result.status ?? 1);
  }
}
