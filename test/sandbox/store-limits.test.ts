import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/index.js";
import { COKE_ID, rawBasic, TENANTS_PATH, TOKEN_PATH } from "./support/sandbox-fixture.js";
import { SpecCheckedClient } from "./support/spec-checked-client.js";

// The in-memory store is capped (count, bytes per tenant, bytes in all), so a long-running
// sandbox or a runaway loop cannot take the machine's memory: 3,000 tenants with images once
// held 115 to 288 MB for good.
const IMAGE = "i".repeat(40_000); // the largest image the spec allows

async function withSandbox(
  options: SandboxOptions,
  body: (sandbox: Sandbox, call: SpecCheckedClient["call"], bearer: string) => Promise<void>,
): Promise<void> {
  const sandbox = await startSandbox(options);
  try {
    const api = await SpecCheckedClient.create(sandbox.url);
    const signIn = await api.call(TOKEN_PATH, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: rawBasic(sandbox.clientId, sandbox.clientSecret),
      },
      body: new URLSearchParams({
        grant_type: "password",
        username: sandbox.username,
        password: sandbox.password,
      }).toString(),
    });
    await body(sandbox, api.call.bind(api), signIn.body.access_token);
  } finally {
    await sandbox.close();
  }
}

describe("the store's limits", () => {
  it("answers 409 SANDBOX_FULL past maxTenants, and takes tenants again once some are deleted", async () => {
    await withSandbox({ maxTenants: 6 }, async (sandbox, call, bearer) => {
      const create = (name: string) =>
        call(TENANTS_PATH, { method: "POST", bearer, json: { name } });
      const first = await create("five");
      expect(first.status).toBe(201);
      expect((await create("six")).status).toBe(201);
      const full = await create("seven");
      expect(full.status).toBe(409);
      expect(full.body.code).toBe("SANDBOX_FULL");
      expect(full.body.message).toContain("maximum of 6 tenants");
      expect(full.body.message).toContain("maxTenants");
      expect(sandbox.stats().tenants).toBe(6);
      await call(`${TENANTS_PATH}/${first.body.id}`, { method: "DELETE", bearer });
      expect((await create("seven")).status).toBe(201);
    });
  });

  it("answers 400 to a tenant larger than maxTenantBytes, on create and on update", async () => {
    await withSandbox({}, async (sandbox, call, bearer) => {
      // url has no maxLength in the spec: only the sandbox's per-tenant limit (64 KiB) stops it.
      const huge = `https://example.com/${"x".repeat(70_000)}`;
      const created = await call(TENANTS_PATH, {
        method: "POST",
        bearer,
        json: { name: "huge", url: huge },
      });
      expect(created.status).toBe(400);
      expect(created.body.message).toContain("limit of 65536 bytes");
      const updated = await call(`${TENANTS_PATH}/${COKE_ID}`, {
        method: "PUT",
        bearer,
        json: { name: "Coke", url: huge },
      });
      expect(updated.status).toBe(400);
      expect(sandbox.tenants().find((t) => t.id === COKE_ID)?.url).toBeNull();
      expect(sandbox.stats().tenants).toBe(4);
    });
  });

  it("keeps every tenant's bytes under maxStoreBytes, refusing creates and growing updates with 409", async () => {
    const maxStoreBytes = 200_000;
    await withSandbox({ maxStoreBytes }, async (sandbox, call, bearer) => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const answer = await call(TENANTS_PATH, {
          method: "POST",
          bearer,
          json: { name: `with image ${i}`, image: IMAGE },
        });
        statuses.push(answer.status);
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(4);
      expect(statuses.slice(4).every((s) => s === 409)).toBe(true);
      const { tenantBytes } = sandbox.stats();
      expect(tenantBytes).toBeLessThanOrEqual(maxStoreBytes);
      const grown = await call(`${TENANTS_PATH}/${COKE_ID}`, {
        method: "PUT",
        bearer,
        json: { name: "Coke", image: IMAGE },
      });
      expect(grown.status).toBe(409);
      expect(grown.body.message).toContain("maxStoreBytes");
      expect(sandbox.stats().tenantBytes).toBe(tenantBytes);
      // An update that shrinks a tenant is always allowed.
      const withImage = sandbox.tenants().find((t) => t.image !== null);
      const shrunk = await call(`${TENANTS_PATH}/${withImage?.id}`, {
        method: "PUT",
        bearer,
        json: { name: "no image now", image: null },
      });
      expect(shrunk.status).toBe(200);
      expect(sandbox.stats().tenantBytes).toBeLessThan(tenantBytes - 39_000);
    });
  });

  it("refuses limits that are not positive integers", async () => {
    await expect(startSandbox({ maxTenants: 0 })).rejects.toThrow(/sandbox option maxTenants/);
    await expect(startSandbox({ maxStoreBytes: 1.5 })).rejects.toThrow(/maxStoreBytes/);
  });
});

describe("the store's memory bound, measured in a child process", { timeout: 180_000 }, () => {
  it("holds flat when 3,000 tenants with images are sent to a 4 MiB store", async () => {
    const script = fileURLToPath(new URL("./support/fill-store.mjs", import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--expose-gc", script, JSON.stringify({ maxStoreBytes: 4 * 1024 * 1024 }), "3000"],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let text = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`)),
      );
    });
    const result = JSON.parse(output);
    expect(result.statuses["201"] + result.statuses["409"]).toBe(3000);
    expect(result.tenantBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    // 3,000 images are 120 MB of data; before the cap all of it stayed (RSS grew ~250 MB).
    expect(result.heapGrowth).toBeLessThan(16 * 1024 * 1024);
    // RSS keeps malloc's arenas after 120 MB of bodies went through (58 to 96 MB seen on one
    // machine); the bound is loose, the heap bound above is the tight one.
    expect(result.rssGrowth).toBeLessThan(160 * 1024 * 1024);
  });
});
