import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { generateOptions } from "../command-options.js";
import type { Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";

const help = `Usage: passgrant generate SPEC --out DIR [--check]

Writes, for the OpenAPI 3 document SPEC (a file, or an http(s) URL):
  DIR/NAME.d.ts             openapi-typescript's types (paths, operations, components)
  DIR/NAME.operations.ts    each operationId's method and path (operationRoutes)
NAME is SPEC's file name without its extension. Use them as
  createSession<paths, operations>({ spec: SPEC, ... })

Options:
  --out DIR     where to write (created if missing)
  --check       write nothing; exit 1 if DIR's files are missing or stale
  -h, --help    show this help

Needs openapi-typescript in your project: npm install --save-dev openapi-typescript`;

export const generateCommand: Command = {
  name: "generate",
  async run(args, context) {
    const { values, positionals } = parseCommandArgs("generate", args, generateOptions, true);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const [spec, ...extra] = positionals;
    if (spec === undefined)
      throw new UsageError("Name the spec: passgrant generate SPEC --out DIR.", "generate");
    if (extra.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}.`, "generate");
    if (!values.out) throw new UsageError("generate needs --out DIR.", "generate");

    const isUrl = /^https?:\/\//i.test(spec);
    const source = isUrl ? spec : resolve(context.cwd, spec);
    const name =
      basename(isUrl ? new URL(spec).pathname : spec).replace(/\.(ya?ml|json)$/i, "") || "api";
    const out = resolve(context.cwd, values.out);
    const typesFile = join(out, `${name}.d.ts`);
    const tableFile = join(out, `${name}.operations.ts`);

    const [{ loadSpec }, { operationModuleSource }, { createTransport }] = await Promise.all([
      import("../../session/load-spec.js"),
      import("../../session/operation-module.js"),
      import("../../transport/transport.js"),
    ]);
    const transport = createTransport();
    let table: string;
    try {
      table = operationModuleSource(await loadSpec(source, transport.fetch), basename(spec));
    } finally {
      await transport.close();
    }
    const cli = openapiTypescriptCli(context.cwd);
    // Run from the spec's folder: openapi-typescript reads redocly.yaml from its working directory.
    const cwd = isUrl ? context.cwd : dirname(source);

    if (values.check) {
      const scratch = mkdtempSync(join(tmpdir(), "passgrant-generate-"));
      try {
        const fresh = join(scratch, `${name}.d.ts`);
        await runNode(cli, [source, "-o", fresh], cwd);
        const stale = [
          [typesFile, readFileSync(fresh, "utf8")],
          [tableFile, table],
        ]
          .filter(([file, expected]) => readOrUndefined(file as string) !== expected)
          .map(([file]) => file as string);
        if (stale.length > 0) {
          context.stderr.write(
            `passgrant generate: stale or missing: ${stale.join(", ")}. Run passgrant generate ${spec} --out ${values.out}\n`,
          );
          return ExitCode.unexpected;
        }
        context.stdout.write(`${typesFile} and ${tableFile} are up to date\n`);
        return ExitCode.ok;
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
    mkdirSync(out, { recursive: true });
    await runNode(cli, [source, "-o", typesFile], cwd);
    writeFileSync(tableFile, table);
    context.stdout.write(`wrote ${typesFile}\nwrote ${tableFile}\n`);
    return ExitCode.ok;
  },
};

/** openapi-typescript's executable, as installed in the user's project. */
function openapiTypescriptCli(cwd: string): string {
  try {
    const manifest = createRequire(join(cwd, "package.json")).resolve(
      "openapi-typescript/package.json",
    );
    return join(dirname(manifest), "bin", "cli.js");
  } catch {
    throw new ConfigError(
      "passgrant generate needs openapi-typescript in this project: npm install --save-dev openapi-typescript",
    );
  }
}

function runNode(script: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd, maxBuffer: 4 * 1024 * 1024 },
      (error, _out, stderr) => {
        if (!error) return done();
        const detail = stderr.split("\n").find((line) => /error|✘/i.test(line)) ?? "";
        fail(
          new ConfigError(
            `openapi-typescript could not generate the types${detail ? `: ${detail.trim().slice(0, 300)}` : ""}`,
            { cause: error },
          ),
        );
      },
    );
  });
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
