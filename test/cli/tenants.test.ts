import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { platformEnv, runCli, startCli } from "./run-cli.js";

let sandbox: Sandbox;
let env: Record<string, string>;
beforeEach(async () => {
  sandbox = await startSandbox();
  env = platformEnv(sandbox);
});
afterEach(async () => {
  await sandbox.close();
});

const ok = async (...args: string[]) => {
  const result = await runCli(["tenants", ...args], { env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant tenants", { timeout: 60_000 }, () => {
  it("creates, gets, updates and deletes a tenant", async () => {
    const id = (await ok("create", "--name", "cli-tenant", "--description", "from the CLI")).trim();
    expect(sandbox.tenants().find((t) => t.id === id)).toMatchObject({
      name: "cli-tenant",
      description: "from the CLI",
    });

    expect(await ok("get", id)).toContain(`id: ${id}\nname: cli-tenant\n`);
    const fetched = JSON.parse(await ok("get", id, "--json"));
    expect(fetched).toMatchObject({ id, name: "cli-tenant" });

    // Fields not named keep their values.
    const updated = JSON.parse(await ok("update", id, "--email", "ops@example.com", "--json"));
    expect(updated).toMatchObject({
      name: "cli-tenant",
      description: "from the CLI",
      email: "ops@example.com",
    });

    expect(await ok("delete", id)).toBe(`Deleted Tenant: ${id}\n`);
    expect(sandbox.tenants().map((t) => t.id)).not.toContain(id);
  });

  it("lists one page as '<id>: <name>' lines, or as the page object with --json", async () => {
    const lines = (await ok("list", "--page-size", "2", "--sort-by", "name")).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^[0-9a-f-]{36}: Coke$/);
    const page = JSON.parse(await ok("list", "--page", "1", "--page-size", "2", "--json"));
    expect(page).toMatchObject({ page: 1, pageSize: 2, totalItems: sandbox.tenants().length });
  });

  it("follows every page with --all", async () => {
    for (let i = 0; i < 7; i += 1) await ok("create", "--name", `bulk-${i}`);
    const total = sandbox.tenants().length;
    const all = JSON.parse(await ok("list", "--all", "--page-size", "3", "--json"));
    expect(all).toHaveLength(total);
    expect(new Set(all.map((t: { id: string }) => t.id)).size).toBe(total);
    const text = await ok("list", "--all", "--page-size", "4");
    expect(text.trimEnd().split("\n")).toHaveLength(total);
    // The progress indicator is for terminals only: a pipe's stderr stays empty.
    const piped = await runCli(["tenants", "list", "--all", "--page-size", "4"], { env });
    expect(piped.stderr).toBe("");
  });

  it("exits 4 with the platform's message for an unknown tenant", async () => {
    const result = await runCli(["tenants", "get", "00000000-0000-4000-8000-000000000000"], {
      env,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("HTTP 404");
    expect(result.stderr).toContain("passgrant tenants list");
  });

  it("explains usage mistakes with exit code 2", async () => {
    for (const [args, message] of [
      [["frobnicate"], 'Unknown action "frobnicate"'],
      [["get"], "tenants get needs the tenant id"],
      [["create"], "tenants create needs --name NAME"],
      [["list", "--page-size", "5000"], "--page-size must be a whole number from 1 to 1000"],
      [["list", "--sort-order", "up"], "--sort-order must be asc or desc"],
      [["update", "some-id", "--parent-id", "x"], "--parent-id does not apply to tenants update"],
      [["get", "some-id", "--all"], "--all does not apply to tenants get"],
    ] as const) {
      const result = await runCli(["tenants", ...args], { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    // Usage is checked before signing in: a mistake costs no grant.
    expect(sandbox.stats().tokenRequests).toBe(0);
  });

  it("stops waiting and exits 130 on SIGINT", async () => {
    sandbox.inject({ operationId: "getTenantsPage", delayMs: 60_000 });
    const cli = startCli(["tenants", "list", "--verbose"], { env });
    await waitFor(() => cli.stderr().includes("POST") && cli.stderr().includes("/idm/v2/token"));
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("interrupted by SIGINT");
    expect(result.stdout).toBe("");
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
