import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../../examples/other-platform/run.js";

describe("examples/other-platform", () => {
  it("talks to another platform's API with types generated from its spec", async () => {
    const lines: string[] = [];
    const { pets, tokensIssued } = await run((line) => lines.push(line));
    expect(lines).toEqual(["Created pet 2: Rex", "Fetched pet 2: Rex (dog)", "1: Tom", "2: Rex"]);
    expect(pets).toEqual([
      { id: 1, name: "Tom", tag: "cat" },
      { id: 2, name: "Rex", tag: "dog" },
    ]);
    // One client-credentials token served all three calls.
    expect(tokensIssued).toBe(1);
  });

  it("keeps its generated types in step with its spec", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const cli = join(root, "node_modules/openapi-typescript/bin/cli.js");
    const outcome = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          cli,
          "examples/other-platform/petstore.yaml",
          "-o",
          "examples/other-platform/generated/petstore.d.ts",
          "--check",
        ],
        { cwd: root },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(outcome.code, outcome.output).toBe(0);
  });
});
