import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI, as `npm start` and the package's `bin` run it. */
export const cliPath = fileURLToPath(new URL("../../dist/bin/passgrant.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Variables for the child, on top of a minimal environment (no MSX_* from the developer's). */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
  /** Default: a fresh empty directory, so no developer's .env is read. */
  cwd?: string;
}

/** A fresh temporary directory. */
export function tempDir(prefix = "passgrant-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A running CLI process with its output collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly args: readonly string[];
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when stdout matches `pattern` (rejects if the process ends first). */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly result: Promise<CliResult>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const home = tempDir("passgrant-home-");
  const spawnArgs = [cliPath, ...args];
  const child = spawn(process.execPath, spawnArgs, {
    cwd: options.cwd ?? tempDir(),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CACHE_HOME: join(home, ".cache"),
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // A command may stop reading early (an input over its limit) and exit: EPIPE is its right.
  child.stdin?.on("error", () => {});
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else child.stdin?.end();
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    args: spawnArgs,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        check();
        result.then(() => {
          if (!stdout.match(pattern)) {
            reject(new Error(`the CLI exited before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        }, reject);
      });
    },
    result,
  };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/**
 * Runs the CLI with its standard streams on a pseudo-terminal, as a user at a terminal runs it:
 * Node has no pseudo-terminal of its own, so util-linux's script(1) (in every Debian and Ubuntu
 * base system) provides it. What the terminal shows, stdout and stderr together, comes back as
 * `stdout`, its line ends as written (the terminal's `\r\n` turned back into `\n`).
 */
export function runCliInTerminal(
  args: readonly string[],
  options: Omit<CliOptions, "stdin"> = {},
): Promise<CliResult> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, cliPath, ...args].map(quote).join(" ");
  const home = tempDir("passgrant-home-");
  const child = spawn("script", ["--quiet", "--return", "--command", command, "/dev/null"], {
    cwd: options.cwd ?? tempDir(),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CACHE_HOME: join(home, ".cache"),
      SHELL: "/bin/sh",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout: stdout.replaceAll("\r\n", "\n"), stderr }),
    );
  });
}

/** The MSX_* variables that point the CLI at a sandbox started by the test. */
export function platformEnv(sandbox: {
  url: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}): Record<string, string> {
  return {
    MSX_BASE_URL: sandbox.url,
    MSX_CLIENT_ID: sandbox.clientId,
    MSX_CLIENT_SECRET: sandbox.clientSecret,
    MSX_USERNAME: sandbox.username,
    MSX_PASSWORD: sandbox.password,
  };
}
