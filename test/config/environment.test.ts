import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../src/config/index.js";
import { ConfigError } from "../../src/errors.js";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "passgrant-env-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("readEnvironment", () => {
  it("fills in .env underneath the real environment, which wins", () => {
    const cwd = dirWith({ ".env": "MSX_BASE_URL=https://from-file\nMSX_USERNAME=file-user\n" });
    const env = readEnvironment({ cwd, env: { MSX_USERNAME: "real-user" } });
    expect(env.MSX_BASE_URL).toBe("https://from-file");
    expect(env.MSX_USERNAME).toBe("real-user");
  });

  it("leaves process.env untouched", () => {
    const cwd = dirWith({ ".env": "PASSGRANT_TEST_ONLY_VARIABLE=1\n" });
    const env = readEnvironment({ cwd });
    expect(env.PASSGRANT_TEST_ONLY_VARIABLE).toBe("1");
    expect(process.env.PASSGRANT_TEST_ONLY_VARIABLE).toBeUndefined();
  });

  it("is fine without a .env file", () => {
    const cwd = dirWith({});
    expect(readEnvironment({ cwd, env: { A: "1" } })).toEqual({ A: "1" });
  });

  it("reads an explicit --env-file relative to cwd", () => {
    const cwd = dirWith({
      "lab.env": "MSX_CLIENT_ID=lab-client\n",
      ".env": "MSX_CLIENT_ID=default\n",
    });
    expect(readEnvironment({ cwd, env: {}, envFile: "lab.env" }).MSX_CLIENT_ID).toBe("lab-client");
  });

  it("fails clearly when an explicit --env-file is missing", () => {
    const cwd = dirWith({});
    expect(() => readEnvironment({ cwd, env: {}, envFile: "missing.env" })).toThrow(ConfigError);
    expect(() => readEnvironment({ cwd, env: {}, envFile: "missing.env" })).toThrow(
      /--env-file missing\.env: no such file/,
    );
  });
});
