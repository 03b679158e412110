import { describe, expect, it } from "vitest";
import { browserCommand } from "../../src/cli/browser.js";

const url = "https://login.example.com/auth?a=1&b=2";

describe("which browser passgrant login starts (never through a shell)", () => {
  it("$BROWSER wins: its words split on spaces, %s replaced or the URL appended", () => {
    expect(browserCommand(url, { BROWSER: "firefox" }, "linux")).toEqual({
      command: "firefox",
      args: [url],
    });
    expect(browserCommand(url, { BROWSER: "chromium --new-window" }, "darwin")).toEqual({
      command: "chromium",
      args: ["--new-window", url],
    });
    expect(browserCommand(url, { BROWSER: "w3m -o x=%s" }, "linux")).toEqual({
      command: "w3m",
      args: ["-o", `x=${url}`],
    });
    // A PATH-like list: the first entry.
    expect(browserCommand(url, { BROWSER: ":lynx:links" }, "linux")).toEqual({
      command: "lynx",
      args: [url],
    });
  });

  it("otherwise by platform; on Windows without cmd (it would read & as a separator)", () => {
    expect(browserCommand(url, {}, "darwin")).toEqual({ command: "open", args: [url] });
    expect(browserCommand(url, {}, "win32")).toEqual({
      command: "rundll32",
      args: ["url.dll,FileProtocolHandler", url],
    });
    expect(browserCommand(url, { DISPLAY: ":0" }, "linux")).toEqual({
      command: "xdg-open",
      args: [url],
    });
    expect(browserCommand(url, { WAYLAND_DISPLAY: "wayland-0" }, "freebsd")).toEqual({
      command: "xdg-open",
      args: [url],
    });
  });

  it("no graphical session (SSH, a console): no browser, the URL is only printed", () => {
    expect(browserCommand(url, {}, "linux")).toBeUndefined();
    expect(browserCommand(url, { BROWSER: "  " }, "linux")).toBeUndefined();
  });
});
