import type { Grant } from "../auth/types.js";
import { openBrowser } from "./browser.js";
import type { CommandContext } from "./context.js";
import { terminalSafe } from "./terminal-text.js";

/**
 * The browser sign-in (authorization code with PKCE on a loopback redirect), for `login --web`
 * and `token --grant authorization-code`: opens the browser unless told not to, and always
 * prints the URL on stderr (stdout carries only what a script reads). Ctrl-C cancels.
 */
export function browserSignInGrant(
  context: CommandContext,
  env: Readonly<Record<string, string | undefined>>,
  options: { openBrowser: boolean },
): Grant {
  return {
    type: "authorization_code",
    signal: context.signal,
    onAuthorizationUrl: ({ authorizationUrl, expiresAt }) => {
      const minutes = Math.max(1, Math.round((expiresAt - Date.now()) / 60_000));
      const url = terminalSafe(authorizationUrl);
      const wait = `Waiting for the browser (up to ${minutes} min; Ctrl-C cancels)...`;
      if (!options.openBrowser) {
        context.stderr.write(
          `To sign in, open this URL in a browser on this machine:\n${url}\n${wait}\n`,
        );
        return;
      }
      void openBrowser(authorizationUrl, env)
        .catch(() => false)
        .then((opened) =>
          context.stderr.write(
            opened
              ? `Opening the browser to sign in. If it does not open, go to:\n${url}\n${wait}\n`
              : `No browser to open here: open this URL in a browser on this machine:\n${url}\n${wait}\n`,
          ),
        );
    },
  };
}
