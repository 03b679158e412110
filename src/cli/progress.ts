import type { CommandContext } from "./context.js";

export interface Progress {
  update(text: string): void;
  done(): void;
}

/**
 * A one-line progress indicator on stderr, redrawn in place. Only on a terminal: in a pipe or a
 * log file it would be noise, so it is silent there.
 */
export function createProgress(stderr: CommandContext["stderr"]): Progress {
  if (!stderr.isTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(text) {
      stderr.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stderr.write("\r\u001b[2K");
      shown = false;
    },
  };
}
