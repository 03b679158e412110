import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

// Completion offers the config file's profile names after --profile and as the NAME of
// `passgrant profile show|remove|use`, through the callback the zsh and fish scripts call.

function configHome(text: string): Record<string, string> {
  const home = tempDir("passgrant-config-");
  mkdirSync(join(home, "passgrant"), { mode: 0o700 });
  writeFileSync(join(home, "passgrant", "config.json"), text, { mode: 0o600 });
  return { XDG_CONFIG_HOME: home };
}

async function complete(env: Record<string, string>, words: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await runCli(["completion", "complete", "zsh", "--", ...words], {
    env,
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return stdout.split("\n").filter((line) => line !== "");
}

describe("completing profile names", { timeout: 60_000 }, () => {
  const env = configHome(
    JSON.stringify({
      format: "passgrant-config",
      version: 1,
      profiles: { lab: { clientId: "a" }, prod: { clientId: "b" }, "prod-eu": { clientId: "c" } },
    }),
  );

  it("offers them after --profile, in either form", async () => {
    expect(await complete(env, ["token", "--profile", ""])).toEqual([
      "words",
      "lab",
      "prod",
      "prod-eu",
    ]);
    expect(await complete(env, ["tenants", "list", "--profile=pr"])).toEqual([
      "words",
      "--profile=prod",
      "--profile=prod-eu",
    ]);
  });

  it("offers them as the NAME of profile show, remove and use", async () => {
    expect(await complete(env, ["profile", "use", "prod-"])).toEqual(["words", "prod-eu"]);
    expect(await complete(env, ["profile", "show", ""])).toEqual([
      "words",
      "lab",
      "prod",
      "prod-eu",
    ]);
    expect(await complete(env, ["profile", "remove", "l"])).toEqual(["words", "lab"]);
    expect(await complete(env, ["--profile", "lab", "profile", "remove", ""])).toEqual([
      "words",
      "lab",
      "prod",
      "prod-eu",
    ]);
  });

  it("offers none as the NAME of profile add, which takes a new one, nor after list", async () => {
    expect(await complete(env, ["profile", "add", ""])).toEqual(["words"]);
    expect(await complete(env, ["profile", "add", "pr"])).toEqual(["words"]);
    expect(await complete(env, ["profile", "list", ""])).toEqual(["words"]);
    // Its options still complete after the name.
    expect(await complete(env, ["profile", "add", "new", "--client-auth", "basic"])).toEqual([
      "words",
      "basic",
      "basic-raw",
    ]);
  });

  it("offers nothing, and prints no error, without a config file or with a broken one", async () => {
    expect(await complete({}, ["token", "--profile", ""])).toEqual(["words"]);
    expect(await complete(configHome("{ not json"), ["profile", "use", ""])).toEqual(["words"]);
  });
});
