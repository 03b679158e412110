import { delimiter } from "node:path";

/** A program and its arguments, run without a shell. */
export interface BrowserCommand {
  command: string;
  args: string[];
}

/**
 * How to open `url` in the user's browser here, or `undefined` when there is no browser to open.
 *
 * - `$BROWSER` first, the convention of Python's webbrowser, xdg-utils and git: a list of commands
 *   separated like PATH; the first is used, `%s` in it replaced by the URL (else the URL is
 *   appended). Its words are split on spaces: no shell ever sees the URL.
 * - macOS: `open`.
 * - Windows: `rundll32 url.dll,FileProtocolHandler`, not `cmd /c start`: cmd would read the URL's
 *   `&` as a command separator.
 * - Elsewhere: `xdg-open`, only with a graphical session (`DISPLAY` or `WAYLAND_DISPLAY`): over
 *   SSH or on a console it may start a text browser fighting passgrant for the terminal.
 */
export function browserCommand(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): BrowserCommand | undefined {
  const configured = env.BROWSER?.split(delimiter)
    .map((entry) => entry.trim())
    .find((entry) => entry !== "");
  if (configured) {
    const [command, ...words] = configured.split(/\s+/) as [string, ...string[]];
    const args = words.some((word) => word.includes("%s"))
      ? words.map((word) => word.replaceAll("%s", url))
      : [...words, url];
    return { command, args };
  }
  if (platform === "darwin") return { command: "open", args: [url] };
  if (platform === "win32") {
    return { command: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
  }
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: "xdg-open", args: [url] };
  return undefined;
}

/**
 * Starts the browser on `url` and does not wait for it: detached, no shell, output ignored, and
 * any failure (no such program) ignored too, since the URL is always printed as well. Returns
 * whether a browser was started at all.
 */
export async function openBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<boolean> {
  const launch = browserCommand(url, env);
  if (!launch) return false;
  // Loaded on use: only a browser sign-in starts another program.
  const { spawn } = await import("node:child_process");
  try {
    const child = spawn(launch.command, launch.args, {
      detached: true,
      stdio: "ignore",
      shell: false,
      windowsHide: true,
    });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
