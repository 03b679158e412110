import type { Grant } from "../auth/types.js";
import type { CommandContext } from "./context.js";
import { terminalSafe } from "./terminal-text.js";

/**
 * The device flow, prompting on stderr (stdout carries only the token) and cancelled by Ctrl-C.
 * The server's values are visible ASCII (checked by the library) and made terminal-safe anyway.
 */
export function deviceCodeGrant(context: CommandContext): Grant {
  return {
    type: "device_code",
    signal: context.signal,
    onDeviceCode: (prompt) => {
      const minutes = Math.max(1, Math.round((prompt.expiresAt - Date.now()) / 60_000));
      const lines = prompt.verificationUriComplete
        ? [
            `To sign in, open ${terminalSafe(prompt.verificationUriComplete)}`,
            `and check that it shows the code ${terminalSafe(prompt.userCode)}.`,
          ]
        : [
            `To sign in, open ${terminalSafe(prompt.verificationUri)}`,
            `and enter the code ${terminalSafe(prompt.userCode)}.`,
          ];
      lines.push(
        `Waiting for the approval (the code expires in about ${minutes} min; Ctrl-C cancels)...`,
      );
      context.stderr.write(`${lines.join("\n")}\n`);
    },
  };
}
