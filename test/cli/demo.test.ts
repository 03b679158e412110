import { afterEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type Forwarder, startForwarder } from "./forwarder.js";
import { platformEnv, runCli, startCli } from "./run-cli.js";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

let sandbox: Sandbox | undefined;
let proxy: Forwarder | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

/** The guide's output: token, created tenant, the page as `<id>: <name>` lines, deleted tenant. */
function expectGuideOutput(stdout: string): string {
  const lines = stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("Got Access Token");
  const created = lines[1]?.match(new RegExp(`^Created Tenant: (${UUID})$`));
  expect(created, stdout).not.toBeNull();
  const id = created?.[1] as string;
  expect(lines[2]).toBe("Got Tenants Page");
  const page = lines.slice(3, -1);
  for (const line of page) expect(line).toMatch(new RegExp(`^${UUID}: .+$`));
  expect(page).toContainEqual(expect.stringMatching(new RegExp(`^${id}: passgrant_demo_${UUID}$`)));
  expect(lines.at(-1)).toBe(`Deleted Tenant: ${id}`);
  return id;
}

// Each test spawns CLI processes; generous under a loaded, parallel run (not a speed assertion).
describe("passgrant demo", { timeout: 60_000 }, () => {
  it("runs the guide's flow against the embedded sandbox when nothing is configured", async () => {
    const result = await runCli(["demo"]);
    expect(result.code, result.stderr).toBe(0);
    expectGuideOutput(result.stdout);
    expect(result.stdout).toContain(": Dandelion and Burdock\n");
    expect(result.stderr).toMatch(/embedded sandbox at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("prints one JSON result with --json", async () => {
    const result = await runCli(["demo", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] as string);
    expect(parsed).toMatchObject({ ok: true, deleted: true, platform: { sandbox: true } });
    expect(parsed.tenant.name).toMatch(new RegExp(`^passgrant_demo_${UUID}$`));
    expect(parsed.tenants).toContainEqual(parsed.tenant);
  });

  it("validates and applies the other variables when it runs against the embedded sandbox", async () => {
    const bad = await runCli(["demo"], {
      env: { MSX_TIMEOUT_MS: "abc", MSX_INSECURE_TLS: "maybe" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(
      'MSX_TIMEOUT_MS must be a whole number of milliseconds between 1 and 3600000, got "abc"',
    );
    expect(bad.stderr).toContain(
      'MSX_INSECURE_TLS must be true or false (also 1/0, yes/no), got "maybe"',
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    // A valid one applies: the insecure-TLS opt-in is honoured, so it is warned about.
    const warned = await runCli(["demo"], { env: { MSX_INSECURE_TLS: "true" } });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain("TLS certificate verification is OFF");
  });

  it("targets the configured platform and leaves no tenant behind", async () => {
    sandbox = await startSandbox();
    const before = sandbox.tenants().map((t) => t.id);
    const result = await runCli(["demo"], { env: platformEnv(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    const id = expectGuideOutput(result.stdout);
    expect(result.stderr).not.toContain("embedded sandbox");
    expect(sandbox.tenants().map((t) => t.id)).toEqual(before);
    expect(sandbox.tenants().map((t) => t.id)).not.toContain(id);
    expect(sandbox.stats().tokenRequestsByGrant).toEqual({ password: 1 });
  });

  it("deletes its tenant when a later step fails, and exits 4", async () => {
    sandbox = await startSandbox({ faults: [{ operationId: "getTenantsPage", status: 500 }] });
    const before = sandbox.tenants().length;
    const result = await runCli(["demo"], { env: platformEnv(sandbox) });
    expect(result.code).toBe(4);
    const id = result.stdout.match(new RegExp(`Created Tenant: (${UUID})`))?.[1];
    expect(id).toBeDefined();
    expect(result.stdout).not.toContain("Got Tenants Page");
    expect(result.stdout).toContain(`Deleted Tenant: ${id}`);
    expect(result.stderr).toContain("HTTP 500");
    // The error is printed once (it was also repeated in the cleanup notice).
    expect(result.stderr.match(/HTTP 500/g)).toHaveLength(1);
    expect(result.stderr).toContain("deleting the tenant the demo created");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a platform error
    expect(sandbox.tenants()).toHaveLength(before);
    expect(sandbox.tenants().map((t) => t.id)).not.toContain(id);
  });

  it("names the tenant to delete by hand when the cleanup itself fails", async () => {
    sandbox = await startSandbox({
      faults: [
        { operationId: "getTenantsPage", status: 500 },
        { operationId: "deleteTenant", status: 500, count: 5 },
      ],
    });
    const result = await runCli(["demo", "--json"], { env: platformEnv(sandbox) });
    expect(result.code).toBe(4);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ ok: false, deleted: false, error: { code: "ERR_HTTP" } });
    const id = parsed.tenant.id as string;
    expect(result.stderr).toContain(`could not delete tenant ${id}`);
    expect(result.stderr).toContain(`passgrant tenants delete ${id}`);
    expect(sandbox.tenants().map((t) => t.id)).toContain(id);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("deletes its tenant on %s mid-run and exits %i", async (signal, code) => {
    sandbox = await startSandbox({
      faults: [{ operationId: "getTenantsPage", delayMs: 60_000 }],
    });
    const before = sandbox.tenants().length;
    const cli = startCli(["demo"], { env: platformEnv(sandbox) });
    const [, id] = await cli.waitForStdout(new RegExp(`Created Tenant: (${UUID})\\n`));
    expect(sandbox.tenants().map((t) => t.id)).toContain(id);
    cli.child.kill(signal);
    const result = await cli.result;
    expect(result.code).toBe(code);
    expect(result.stdout).toContain(`Deleted Tenant: ${id}`);
    expect(result.stderr).toContain(`interrupted by ${signal}`);
    expect(sandbox.tenants().map((t) => t.id)).not.toContain(id);
    expect(sandbox.tenants()).toHaveLength(before);
  });

  it("counts its tenant as deleted when the cleanup finds it already gone", async () => {
    sandbox = await startSandbox();
    const before = sandbox.tenants().length;
    // The demo's own DELETE reaches the platform, but its answer is lost: then Ctrl-C.
    let deleteForwarded: () => void = () => {};
    const forwarded = new Promise<void>((resolve) => {
      deleteForwarded = resolve;
    });
    let withheld = false;
    proxy = await startForwarder(sandbox.url, {
      withholdResponse: (method) => {
        if (method !== "DELETE" || withheld) return false;
        withheld = true;
        deleteForwarded();
        return true;
      },
    });
    const cli = startCli(["demo", "--json"], {
      env: { ...platformEnv(sandbox), MSX_BASE_URL: proxy.url },
    });
    await forwarded;
    cli.child.kill("SIGINT");
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, deleted: true });
    expect(result.stderr).toContain("already gone");
    expect(result.stderr).not.toContain("could not delete");
    expect(sandbox.tenants()).toHaveLength(before);
  });

  it("says which tenant may exist when the create request gets no answer, and exits 5", async () => {
    sandbox = await startSandbox({ faults: [{ operationId: "createTenant", drop: true }] });
    const result = await runCli(["demo"], { env: platformEnv(sandbox) });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("Got Access Token\n");
    expect(result.stderr).toMatch(
      new RegExp(
        `a tenant named passgrant_demo_${UUID} may exist; find it with \`passgrant tenants list --all`,
      ),
    );
  });
});
