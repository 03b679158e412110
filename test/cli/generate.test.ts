import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

// `passgrant generate` as the built executable runs it, from the project root (where
// openapi-typescript is installed, as it would be in a user's project).
const root = fileURLToPath(new URL("../..", import.meta.url));

describe("passgrant generate", () => {
  it("writes the types and the operation table, and --check tells stale from fresh", async () => {
    const out = tempDir("passgrant-generate-");
    const spec = "test/fixtures/orders-api.yaml";
    const written = await runCli(["generate", spec, "--out", out], { cwd: root });
    expect(written.stderr).toBe("");
    expect(written.code).toBe(0);

    const types = readFileSync(join(out, "orders-api.d.ts"), "utf8");
    // The same types as the committed fixture, generated the same way.
    expect(types).toBe(readFileSync(join(root, "test/fixtures/generated/orders-api.d.ts"), "utf8"));
    const table = readFileSync(join(out, "orders-api.operations.ts"), "utf8");
    expect(table).toContain('"createOrder": { method: "POST", path: "/stores/{storeId}/orders" },');
    expect(table).toContain('"getHealth": { method: "GET", path: "/health" },');
    expect(table).toContain('"listOrders": { method: "GET", path: "/stores/{storeId}/orders" },');

    const fresh = await runCli(["generate", spec, "--out", out, "--check"], { cwd: root });
    expect(fresh.code).toBe(0);

    appendFileSync(join(out, "orders-api.operations.ts"), "// edited\n");
    const stale = await runCli(["generate", spec, "--out", out, "--check"], { cwd: root });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("stale or missing");
    expect(stale.stderr).toContain("orders-api.operations.ts");
    expect(stale.stderr).not.toContain("orders-api.d.ts,");
  });

  it("says what is wrong with a spec it cannot read, without a stack trace", async () => {
    const result = await runCli(["generate", "missing.yaml", "--out", tempDir()], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read the OpenAPI document");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("asks for --out", async () => {
    const result = await runCli(["generate", "test/fixtures/orders-api.yaml"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--out DIR");
  });
});
