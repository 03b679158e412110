import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironment, readEnvironment } from "../../src/config/index.js";
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

  it("fails clearly when an explicit file is missing, naming how it was given", () => {
    const cwd = dirWith({});
    expect(() => readEnvironment({ cwd, env: {}, envFile: "missing.env" })).toThrow(ConfigError);
    expect(() => readEnvironment({ cwd, env: {}, envFile: "missing.env" })).toThrow(
      /--dotenv missing\.env: no such file/,
    );
    expect(() =>
      readEnvironment({ cwd, env: {}, envFile: "missing.env", envFileFrom: "PASSGRANT_ENV_FILE" }),
    ).toThrow(/PASSGRANT_ENV_FILE missing\.env: no such file/);
  });
});

describe("loadEnvironment's sources", () => {
  it("tells the environment from the file, as the user named it", () => {
    const cwd = dirWith({
      ".env": "MSX_TOKEN_URL=https://elsewhere.example/token\nMSX_USERNAME=file-user\n",
      "lab.env": "MSX_CLIENT_ID=lab-client\n",
    });
    const loaded = loadEnvironment({
      cwd,
      env: { MSX_BASE_URL: "https://msx.example.com", MSX_USERNAME: "real-user" },
    });
    expect(loaded.sourceOf("MSX_TOKEN_URL")).toBe("./.env");
    expect(loaded.sourceOf("MSX_BASE_URL")).toBe("the environment");
    expect(loaded.sourceOf("MSX_USERNAME")).toBe("the environment");
    expect(loaded.sourceOf("MSX_SCOPE")).toBeUndefined();
    const lab = loadEnvironment({ cwd, env: {}, envFile: "lab.env" });
    expect(lab.sourceOf("MSX_CLIENT_ID")).toBe("lab.env");
  });

  it("credits the file when Node already copied it into the environment (node --env-file)", () => {
    const cwd = dirWith({ "lab.env": "MSX_TOKEN_URL=https://elsewhere.example/token\n" });
    const loaded = loadEnvironment({
      cwd,
      env: { MSX_TOKEN_URL: "https://elsewhere.example/token" },
      envFile: "lab.env",
    });
    expect(loaded.sourceOf("MSX_TOKEN_URL")).toBe("lab.env");
  });
});
