// Preloaded into a CLI child (NODE_OPTIONS=--import): writes the process's peak RSS in bytes
// to $PASSGRANT_RSS_REPORT when it exits, so a test can bound the memory a command used.
import { writeFileSync } from "node:fs";

const target = process.env.PASSGRANT_RSS_REPORT;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
