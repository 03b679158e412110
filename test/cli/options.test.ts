import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

describe("option errors", { timeout: 60_000 }, () => {
  it("refuses --token pointing at what works (passgrant signs in itself; --cache), not at standard input", async () => {
    const result = await runCli(["tenants", "list", "--token=planted-token-value"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--token is not accepted");
    expect(result.stderr).toContain("--cache");
    expect(result.stderr).not.toContain("standard input");
    expect(result.stderr).not.toContain("planted-token-value");
  });
});
