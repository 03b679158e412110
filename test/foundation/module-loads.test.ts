import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { cliPath, platformEnv } from "../cli/run-cli.js";

// What a process loads, not how long it takes (issue 14): start-up time is measured by
// `npm run bench`, never asserted here. Each child runs with a preload that records
// - every ES module URL (loader hooks, written from the hooks thread to a file),
// - every CommonJS file (require.cache) and every Node built-in (process.moduleLoadList) at exit.
// A failure here means an import became eager on a path that does not use it: load it with
// `await import()` where it is used (or, for a synchronous caller, see src/lazy-builtins.ts).

const entry = resolve(import.meta.dirname, "../../dist/lib/index.js");

const hooks = `data:text/javascript,${encodeURIComponent(`
  import { appendFileSync } from "node:fs";
  export async function load(url, context, next) {
    appendFileSync(process.env.MODULE_TRACE, "esm " + url + "\\n");
    return next(url, context);
  }
`)}`;
const preload = `data:text/javascript,${encodeURIComponent(`
  import { register, createRequire } from "node:module";
  import { appendFileSync } from "node:fs";
  register(${JSON.stringify(hooks)});
  const require = createRequire(process.cwd() + "/");
  process.on("exit", () => {
    const lines = [
      ...Object.keys(require.cache).map((file) => "cjs " + file),
      ...process.moduleLoadList.map((name) => "builtin " + name),
    ];
    appendFileSync(process.env.MODULE_TRACE, lines.join("\\n") + "\\n");
  });
`)}`;

interface Loaded {
  /** ES module URLs and CommonJS file paths. */
  files: string[];
  /** Node's own modules, as `process.moduleLoadList` names them (`NativeModule tls`). */
  builtins: string[];
  /** The executable's own chunks that were loaded, with their text. */
  chunks: { file: string; text: string }[];
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "passgrant-module-loads-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
async function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Loaded> {
  const trace = join(scratch, `trace-${++runs}.txt`);
  const home = join(scratch, `home-${runs}`);
  await new Promise<void>((done, fail) => {
    execFile(
      process.execPath,
      ["--import", preload, ...args],
      {
        cwd: scratch,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CACHE_HOME: join(home, ".cache"),
          ...env,
          MODULE_TRACE: trace,
        },
      },
      (error, _stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done()),
    );
  });
  const lines = readFileSync(trace, "utf8").split("\n").filter(Boolean);
  const files = lines.flatMap((line) => (line.startsWith("builtin ") ? [] : [line.slice(4)]));
  const binDir = resolve(cliPath, "..");
  return {
    files,
    builtins: lines.flatMap((line) => (line.startsWith("builtin ") ? [line.slice(8)] : [])),
    chunks: files
      .filter((url) => url.startsWith("file:"))
      .map((url) => fileURLToPath(url))
      .filter((file) => file.startsWith(binDir))
      .map((file) => ({ file, text: readFileSync(file, "utf8") })),
  };
}

/** Packages whose modules were loaded, by name (node_modules/<name>/...). */
function packagesIn(loaded: Loaded): string[] {
  const names = loaded.files.flatMap((file) => {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    return match?.[1] ? [match[1].replace(/\\/g, "/")] : [];
  });
  return [...new Set(names)].sort();
}

/** zod's minified code still says `._zod` (its internals' property); no other module does. */
const bundledZod = (loaded: Loaded) =>
  loaded.chunks.filter((chunk) => /\._zod\b/.test(chunk.text)).map((chunk) => chunk.file);

/**
 * Node's own modules a run loads beyond those of `node -e 0`, seen by a CommonJS preload (which,
 * unlike the ES module hooks of loadedBy, loads nothing itself), with standard output a pipe.
 */
async function builtinsAddedBy(args: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const preload = join(scratch, "builtins-preload.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.BUILTINS_TRACE, process.moduleLoadList.join("\\n")));\n`,
  );
  const builtinsOf = async (argv: string[]): Promise<string[]> => {
    const trace = join(scratch, `builtins-${++runs}.txt`);
    await new Promise<void>((done, fail) => {
      execFile(
        process.execPath,
        ["-r", preload, ...argv],
        { cwd: scratch, env: { PATH: process.env.PATH, ...env, BUILTINS_TRACE: trace } },
        (error, _stdout, stderr) =>
          error ? fail(new Error(`${error.message}\n${stderr}`)) : done(),
      );
    });
    return readFileSync(trace, "utf8").split("\n");
  };
  const floor = new Set(await builtinsOf(["-e", "0"]));
  return (await builtinsOf(args)).filter((name) => !floor.has(name));
}

describe('import("passgrant")', { timeout: 60_000 }, () => {
  it("loads openapi-fetch and nothing else from node_modules (no zod, dotenv, undici)", async () => {
    const loaded = await loadedBy([
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry)});`,
    ]);
    expect(packagesIn(loaded)).toEqual(["openapi-fetch"]);
  });

  it("loads neither node:crypto nor node:tls (needed only for PKCE, paging checks and CA files)", async () => {
    const loaded = await loadedBy([
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry)});`,
    ]);
    expect(loaded.builtins).not.toContain("NativeModule crypto");
    expect(loaded.builtins).not.toContain("NativeModule tls");
  });

  it("leaves the sessions' machinery to the first createSession, which loads and runs it", async () => {
    const importOnly = await loadedBy([
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry)});`,
    ]);
    const sessionChunk = (loaded: Loaded) =>
      loaded.files.filter((file) => /[\\/]create-session-[\w-]+\.js$/.test(file));
    expect(sessionChunk(importOnly)).toEqual([]);
    // With nothing configured a session refuses to open: its code ran, and said what is missing.
    const withSession = await loadedBy([
      "--input-type=module",
      "-e",
      `const { createSession, ConfigError } = await import(${JSON.stringify(entry)});
       const error = await createSession({ env: {} }).catch((e) => e);
       if (!(error instanceof ConfigError) || !/MSX_BASE_URL is not set/.test(error.message)) throw error;`,
    ]);
    expect(sessionChunk(withSession)).toHaveLength(1);
  });
});

describe("passgrant token (the built executable)", { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  let tokenRequests = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      tokenRequests++;
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            access_token: "module-loads-token",
            token_type: "Bearer",
            expires_in: 600,
          }),
        );
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const platform = () => ({
    MSX_BASE_URL: url,
    MSX_CLIENT_ID: "client",
    MSX_CLIENT_SECRET: "client-secret",
    MSX_USERNAME: "user",
    MSX_PASSWORD: "user-password",
  });

  it("a fresh grant loads no zod, no npm undici (no CA, proxy or insecure TLS) and no dotenv (no .env)", async () => {
    const loaded = await loadedBy([cliPath, "token"], platform());
    expect(packagesIn(loaded)).toEqual([]);
    expect(bundledZod(loaded)).toEqual([]);
  });

  it("a fresh grant posts over node:http and never loads Node's fetch (~45 ms of start-up) nor node:v8", async () => {
    const before = tokenRequests;
    const loaded = await loadedBy([cliPath, "token"], platform());
    expect(tokenRequests).toBe(before + 1);
    expect(loaded.builtins).toContain("NativeModule http");
    expect(loaded.builtins).not.toContain("NativeModule internal/deps/undici/undici");
    expect(loaded.builtins).not.toContain("NativeModule v8");
  });

  it("--cache with a valid cached token loads neither zod, Node's fetch nor node:crypto (no request is sent)", async () => {
    const env = { ...platform(), XDG_CACHE_HOME: join(scratch, "shared-cache") };
    await loadedBy([cliPath, "token", "--cache"], env); // fills the cache
    const before = tokenRequests;
    const loaded = await loadedBy([cliPath, "token", "--cache"], env);
    expect(tokenRequests).toBe(before);
    expect(packagesIn(loaded)).toEqual([]);
    expect(bundledZod(loaded)).toEqual([]);
    expect(loaded.builtins).not.toContain("NativeModule internal/deps/undici/undici");
    expect(loaded.builtins).not.toContain("NativeModule v8");
    // The cache key's SHA-256 is noble's, bundled without its WebCrypto lookup.
    expect(loaded.builtins).not.toContain("NativeModule crypto");
  });

  // The --import hooks above load streams themselves; a CommonJS preload does not.
  it("--cache with a valid cached token writes its line without Node's streams, net or crypto", async () => {
    const env = { ...platform(), XDG_CACHE_HOME: join(scratch, "stream-free-cache") };
    await builtinsAddedBy([cliPath, "token", "--cache"], env); // fills the cache
    const added = await builtinsAddedBy([cliPath, "token", "--cache"], env);
    // Standard output is written through its descriptor (src/cli/descriptor-first.ts) while the
    // command only writes; process.stdout, a net.Socket on this pipe, is never made.
    expect(added).not.toContain("NativeModule stream");
    expect(added).not.toContain("NativeModule net");
    expect(added).not.toContain("NativeModule crypto");
    expect(added).toContain("NativeModule internal/util/parse_args/parse_args");
  });
});

describe("a command calling the API over fetch (the built executable)", { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  // --liftoff-only (src/cli/main.ts) only helps if V8 has it before undici loads: undici starts
  // compiling its WebAssembly parser as it loads. Node's module list is in load order.
  it("loads node:v8 (to set --liftoff-only) before Node's fetch", async () => {
    const loaded = await loadedBy([cliPath, "tenants", "list"], platformEnv(sandbox));
    const v8 = loaded.builtins.indexOf("NativeModule v8");
    const undici = loaded.builtins.indexOf("NativeModule internal/deps/undici/undici");
    expect(undici).toBeGreaterThan(-1);
    expect(v8).toBeGreaterThan(-1);
    expect(v8).toBeLessThan(undici);
  });
});
