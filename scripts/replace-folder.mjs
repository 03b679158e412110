// Builds a dist/ folder beside itself, then swaps it in with renames, so a `passgrant` process
// (or another test run) using the folder meanwhile never finds it half-written. Chunk names carry
// content hashes: building into an empty folder means the package never ships a stale chunk.
import { existsSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Runs `write(stagingDir)` to fill a fresh folder, then puts it at `folder` (a file URL). */
export async function replaceFolder(folder, write) {
  const staging = new URL(`${folder.href}.${process.pid}.tmp`);
  const retired = new URL(`${folder.href}.${process.pid}.old`);
  rmSync(staging, { recursive: true, force: true });
  await write(fileURLToPath(staging));
  if (existsSync(folder)) renameSync(folder, retired);
  renameSync(staging, folder);
  rmSync(retired, { recursive: true, force: true });
}
