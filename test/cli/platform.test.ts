import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/cli/context.js";
import { createLogger } from "../../src/cli/logger.js";
import { resolvePlatform } from "../../src/cli/platform.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "./run-cli.js";

/** A context whose stdin and stderr are a terminal: the prompts are answered from `answers`. */
function terminalContext(env: Record<string, string>, answers: string[]) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let shown = "";
  stderr.on("data", (chunk: Buffer) => {
    shown += chunk.toString("utf8");
    // Each prompt ends with ": " and no newline: answer it.
    if (/: $/.test(shown)) stdin.write(`${answers.shift() ?? ""}\r`);
  });
  const context: CommandContext = {
    env,
    cwd: tempDir(),
    stdin,
    stdout: new PassThrough(),
    stderr,
    signal: new AbortController().signal,
    interruptedBy: () => undefined,
    setPendingCleanup: () => undefined,
  };
  return { context, shown: () => shown };
}

const withoutSecrets = {
  MSX_BASE_URL: "https://msx.example.com",
  MSX_CLIENT_ID: "my-client",
  MSX_USERNAME: "superuser",
};

describe("resolvePlatform's prompts", () => {
  it("asks for the password first, and an empty one is a clear error before the client secret", async () => {
    const { context, shown } = terminalContext(withoutSecrets, [""]);
    const log = createLogger(context, false);
    const error = await resolvePlatform(context, log, { command: "token", needsUser: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^No password given for superuser/);
    expect(shown()).toContain("Password for superuser: ");
    expect(shown()).not.toContain("Client secret");
  });

  it("asks for the password, then the client secret", async () => {
    const { context, shown } = terminalContext(withoutSecrets, ["pw-value", "secret-value"]);
    const config = await resolvePlatform(context, createLogger(context, false), {
      command: "token",
      needsUser: true,
    });
    expect(config.password).toBe("pw-value");
    expect(config.clientSecret).toBe("secret-value");
    expect(shown().indexOf("Password for")).toBeLessThan(shown().indexOf("Client secret for"));
  });
});
