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
  peerDependencies: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, string | { types?: string; import?: string }>;
}

/** Installing from the npm cache can take a minute on a busy machine; nothing here is timed. */
const INSTALL_TIMEOUT_MS = 300_000;

/** tsc over the declarations, or a cold import, with four other processes sharing two cores. */
const CHILD_TIMEOUT_MS = 120_000;

/** A fresh scratch project under the OS's temp folder. */
async function scratchProject(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  return dir;
}

/** `npm install` into `dir`, from the npm cache where it can. */
function npmInstall(dir: string, args: string[]) {
  return run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...args], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
}

// Packs the real tarball and installs it into scratch projects with its dependencies from the npm
// cache, as a user would get it from the registry. The first scratch project also installs what a
// user of every entry point has: the optional peers behind passgrant/sandbox and passgrant/testing
// (nock, openapi-backend, ...) and Node's types (the declarations name Buffer and NodeJS types).
describe("the packed package", () => {
  let packDir: string;
  let tarball: string;
  let scratch: string;
  let manifest: PackageJson;
  const devVersion = (name: string) => manifest.devDependencies[name] ?? "latest";

  beforeAll(async () => {
    manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    packDir = await mkdtemp(join(tmpdir(), "passgrant-tarball-"));
    // dist/ was built once by the global setup; --ignore-scripts skips prepack's rebuild, which
    // would rewrite dist/ under the CLI tests running beside this one.
    const { stdout } = await run(
      "npm",
      ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir],
      { cwd: root },
    );
    tarball = join(packDir, stdout.trim().split("\n").at(-1) ?? "");
    scratch = await scratchProject("passgrant-pack-");
    await npmInstall(scratch, [
      "--ignore-scripts",
      tarball,
      ...Object.keys(manifest.peerDependencies).map((name) => `${name}@${devVersion(name)}`),
      `@types/node@${devVersion("@types/node")}`,
    ]);
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    for (const dir of [scratch, packDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The same linters as `npm run check:package` (in .ci/run), on this test's tarball.
  it(
    "passes publint and @arethetypeswrong/cli",
    async () => {
      const bin = (name: string) => join(root, "node_modules/.bin", name);
      await run(bin("publint"), ["run", tarball, "--strict"], { cwd: root });
      await run(
        bin("attw"),
        [tarball, "--profile", "esm-only", "--ignore-rules", "false-esm"].concat([
          "--exclude-entrypoints",
          "openapi/msx.yaml",
          "--format",
          "json",
        ]),
        { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      );
    },
    CHILD_TIMEOUT_MS,
  );

  // The tarball alone, as a library user installs it: no optional peers.
  describe("installed alone", () => {
    let alone: string;
    let installStderr: string;

    // The README promises Node 20.12: no dependency, however deep, may declare a newer Node. npm
    // only warns (EBADENGINE) unless --engine-strict, so the strict install is the test.
    beforeAll(async () => {
      alone = await scratchProject("passgrant-alone-");
      installStderr = (await npmInstall(alone, ["--engine-strict", tarball])).stderr;
    }, INSTALL_TIMEOUT_MS);

    afterAll(async () => {
      if (alone) await rm(alone, { recursive: true, force: true });
    });

    it("installs with --engine-strict: no dependency declares a newer Node than the package", () => {
      expect(installStderr).not.toMatch(/EBADENGINE|Unsupported engine/);
    });

    it("installs none of the sandbox's or the kit's packages", async () => {
      const { stdout } = await run("npm", ["ls", "--all", "--parseable"], { cwd: alone });
      const installed = stdout.split("\n").map((line) => line.split("node_modules/").at(-1));
      for (const peer of Object.keys(manifest.peerDependencies)) {
        expect(installed).not.toContain(peer);
      }
      expect(installed).toContain(manifest.name);
    });

    it(
      "imports the package root",
      async () => {
        const { stdout } = await run(
          "node",
          [
            "--input-type=module",
            "-e",
            `console.log(typeof (await import("${manifest.name}")).createMsxClient)`,
          ],
          { cwd: alone },
        );
        expect(stdout.trim()).toBe("function");
      },
      CHILD_TIMEOUT_MS,
    );

    it.each([
      ["sandbox", ["openapi-backend", "ajv-formats", "yaml"]],
      ["testing", ["nock", "openapi-backend", "ajv-formats", "yaml"]],
    ])(
      "passgrant/%s says exactly what to install",
      async (sub, peers) => {
        const script = `
        try { await import("${manifest.name}/${sub}"); console.log("imported"); }
        catch (error) { console.log(error.code + ": " + error.message); }`;
        const { stdout } = await run("node", ["--input-type=module", "-e", script], { cwd: alone });
        const command = peers
          .map((name) => `"${name}@${manifest.peerDependencies[name]}"`)
          .join(" ");
        expect(stdout).toContain(`ERR_CONFIG: passgrant/${sub} needs `);
        expect(stdout).toContain(`npm install --save-dev ${command}`);
      },
      CHILD_TIMEOUT_MS,
    );

    // The session loads its checker on the first call: without the peers, that call says what to
    // install (src/spec/peers.ts), and nothing is sent.
    it(
      "a session checking calls against the spec says what to install",
      async () => {
        const script = `
        const { createSession } = await import("${manifest.name}");
        const session = await createSession({
          baseUrl: "http://127.0.0.1:9", clientId: "c", clientSecret: "s",
          username: "u", password: "p", validate: true,
        });
        try { await session.call("getTenant", { path: { id: "x" } }); console.log("sent"); }
        catch (error) { console.log(error.code + ": " + error.message); }
        await session.close();`;
        const { stdout } = await run("node", ["--input-type=module", "-e", script], {
          cwd: alone,
          env: { PATH: process.env.PATH, HOME: alone },
        });
        expect(stdout).toContain("ERR_CONFIG: Reading and checking OpenAPI documents");
        expect(stdout).toContain('npm install --save-dev "openapi-backend@');

        // A spec read from a file needs the YAML parser: the same message, not Node's own.
        const fromFile = `
        const { createSession } = await import("${manifest.name}");
        try {
          await createSession({ baseUrl: "http://127.0.0.1:9", anonymous: true, validate: false,
            spec: "node_modules/${manifest.name}/openapi/msx.yaml" });
          console.log("read");
        } catch (error) { console.log(error.code + ": " + error.message); }`;
        const read = await run("node", ["--input-type=module", "-e", fromFile], {
          cwd: alone,
          env: { PATH: process.env.PATH, HOME: alone },
        });
        expect(read.stdout).toContain("ERR_CONFIG: Reading and checking OpenAPI documents");
      },
      CHILD_TIMEOUT_MS,
    );

    // The executable bundles the spec's packages: its argument checks need none installed (they
    // once asked to install them, the library's peer check resolving from dist/bin).
    it(
      "checks passgrant api arguments against the spec with its bundled validator",
      async () => {
        const bin = join(alone, "node_modules/.bin/passgrant");
        const result = await run(bin, ["api", "getTenant", "-p", "id=not-a-uuid"], {
          cwd: alone,
          env: {
            PATH: process.env.PATH,
            HOME: alone,
            MSX_BASE_URL: "http://127.0.0.1:9",
            MSX_CLIENT_ID: "c",
            MSX_CLIENT_SECRET: "s",
            MSX_USERNAME: "u",
            MSX_PASSWORD: "p",
          },
        }).catch((error: { code?: number; stderr?: string }) => error);
        expect(result).toMatchObject({ code: 2 });
        expect((result as { stderr: string }).stderr).toContain('must match format "uuid"');
      },
      CHILD_TIMEOUT_MS,
    );

    // The executable bundles the sandbox's packages: the demo runs against its embedded sandbox.
    it(
      "runs passgrant demo on the embedded sandbox",
      async () => {
        const bin = join(alone, "node_modules/.bin/passgrant");
        const { stdout } = await run(bin, ["demo", "--json"], {
          cwd: alone,
          env: { PATH: process.env.PATH, HOME: alone },
        });
        expect(JSON.parse(stdout)).toMatchObject({ platform: { sandbox: true } });
      },
      CHILD_TIMEOUT_MS,
    );
  });

  const subpaths = () =>
    Object.entries(manifest.exports).filter(
      ([subpath, target]) => typeof target === "object" && target.import && subpath !== ".",
    );

  it(
    "imports every JavaScript entry point from a scratch project",
    async () => {
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
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "type-checks every entry point with a strict NodeNext tsconfig",
    async () => {
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
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "packs within 600 KB, with no source map pointing at sources it does not ship",
    async () => {
      const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: root,
      });
      const [packed] = JSON.parse(stdout) as [{ size: number; files: { path: string }[] }];
      expect(packed.size).toBeLessThanOrEqual(600 * 1024);
      const paths = packed.files.map((file) => file.path);
      expect(paths.filter((path) => path.endsWith(".map"))).toEqual([]);
      expect(paths.some((path) => path.startsWith("src/"))).toBe(false);
      const script = `
      const { readdirSync, readFileSync } = require("node:fs");
      const files = readdirSync("node_modules/${manifest.name}/dist", { recursive: true });
      console.log(files.filter((f) => /\\.c?js$/.test(f) &&
        readFileSync("node_modules/${manifest.name}/dist/" + f, "utf8").includes("sourceMappingURL")).join(","));`;
      const mapped = await run("node", ["-e", script], { cwd: scratch });
      expect(mapped.stdout.trim()).toBe("");
    },
    CHILD_TIMEOUT_MS,
  );

  // Where Node can require an ES module (20.19+, 22.12+: the "module-sync" condition), require()
  // gets the package; elsewhere (or with that turned off, as on 20.12) the "require" condition's
  // file says the package is ESM only and how to load it.
  const requireScript = `try { require("passgrant"); console.log("loaded"); }
    catch (error) { console.log(error.code + ": " + error.message); }`;

  it(
    "says the package is ESM only where CommonJS cannot require it",
    async () => {
      const { stdout } = await run(
        "node",
        ["--no-experimental-require-module", "-e", requireScript],
        { cwd: scratch },
      );
      expect(stdout).toContain("ERR_REQUIRE_ESM: passgrant is an ES module package (ESM only)");
      expect(stdout).toContain('import("passgrant")');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "loads the package root with require() where Node can require ES modules",
    async () => {
      const { stdout } = await run("node", ["-e", requireScript], { cwd: scratch });
      const canRequireEsm = (process.features as { require_module?: boolean }).require_module;
      if (canRequireEsm) expect(stdout.trim()).toBe("loaded");
      else expect(stdout).toContain("ERR_REQUIRE_ESM: passgrant is an ES module package");
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "installs the passgrant command",
    async () => {
      const bin = join(scratch, "node_modules/.bin/passgrant");
      const { stdout } = await run(bin, ["--help"], { cwd: scratch });
      expect(stdout).toMatch(/passgrant/);
    },
    CHILD_TIMEOUT_MS,
  );
});
