import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

interface PackageJson {
  name: string;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, string | { types?: string; import?: string }>;
}

// Packs the real tarball and installs it into a scratch project with its
// dependencies from the npm cache, as a user would get it from the registry. The scratch project
// also installs what a user of every entry point has: nock (the optional peer behind
// passgrant/testing) and Node's types (the declarations name Buffer and NodeJS types).
describe("the packed package", () => {
  let scratch: string;
  let manifest: PackageJson;
  const devVersion = (name: string) => manifest.devDependencies[name] ?? "latest";

  beforeAll(async () => {
    manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    scratch = await mkdtemp(join(tmpdir(), "passgrant-pack-"));
    // dist/ was built once by the global setup; --ignore-scripts skips prepack's rebuild, which
    // would rewrite dist/ under the CLI tests running beside this one.
    const { stdout } = await run(
      "npm",
      ["pack", "--silent", "--ignore-scripts", "--pack-destination", scratch],
      { cwd: root },
    );
    const tarball = join(scratch, stdout.trim().split("\n").at(-1) ?? "");
    await writeFile(
      join(scratch, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module" }),
    );
    await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        tarball,
        `nock@${devVersion("nock")}`,
        `@types/node@${devVersion("@types/node")}`,
      ],
      { cwd: scratch },
    );
  }, 180_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const subpaths = () =>
    Object.entries(manifest.exports).filter(
      ([subpath, target]) => typeof target === "object" && target.import && subpath !== ".",
    );

  it("imports every JavaScript entry point from a scratch project", async () => {
    const specifiers = [
      manifest.name,
      ...subpaths().map(([sub]) => `${manifest.name}/${sub.slice(2)}`),
    ];
    const script = `
      for (const s of ${JSON.stringify(specifiers)}) {
        const m = await import(s);
        if (Object.keys(m).length === 0) throw new Error(s + " exports nothing");
        console.log(s, Object.keys(m).length);
      }`;
    const { stdout } = await run("node", ["--input-type=module", "-e", script], { cwd: scratch });
    for (const specifier of specifiers) expect(stdout).toContain(specifier);
  });

  it("type-checks every entry point with a strict NodeNext tsconfig", async () => {
    const lines = [
      `import { createMsxClient, type MsxClient, type components } from "${manifest.name}";`,
      `const client: MsxClient = createMsxClient({ baseUrl: "http://127.0.0.1:9" });`,
      `const tenant: components["schemas"]["Tenant"] | undefined = (await client.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: "x" } } })).data;`,
      "void tenant;",
      ...subpaths().map(
        ([sub], i) =>
          `import * as entry${i} from "${manifest.name}/${sub.slice(2)}"; void entry${i};`,
      ),
      `import type { paths } from "${manifest.name}/generated/msx";`,
      `const p: keyof paths = "/idm/v2/token"; void p;`,
    ];
    await writeFile(join(scratch, "check.ts"), `${lines.join("\n")}\nexport {};\n`);
    await writeFile(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const result = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: scratch }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(result.stdout).toBe("");
  });

  it("installs the passgrant command", async () => {
    const bin = join(scratch, "node_modules/.bin/passgrant");
    const { stdout } = await run(bin, ["--help"], { cwd: scratch });
    expect(stdout).toMatch(/passgrant/);
  });
});
