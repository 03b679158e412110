import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { globalOptions } from "../../src/cli/args.js";
import { commands } from "../../src/cli/run.js";
import { cliPath, runCli, tempDir } from "./run-cli.js";

// The generated scripts run in the real shells, calling back into the built executable through a
// `passgrant` on PATH, as a user's shell would.
const bin = tempDir("passgrant-bin-");
const work = tempDir("passgrant-completion-");
const script: Record<string, string> = {};

beforeAll(async () => {
  const shim = join(bin, "passgrant");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
  chmodSync(shim, 0o755);
  for (const shell of ["bash", "zsh", "fish"]) {
    const { code, stdout } = await runCli(["completion", shell]);
    expect(code).toBe(0);
    script[shell] = join(work, `passgrant.${shell}`);
    writeFileSync(script[shell], stdout);
  }
});

const shellEnv = (extra: Record<string, string> = {}) => ({
  PATH: `${bin}:${process.env.PATH}`,
  HOME: work,
  ...extra,
});

/** COMPREPLY after the bash function runs for `line` (the cursor at its end). */
function bash(line: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync(
    "bash",
    [
      "--norc",
      "--noprofile",
      "-c",
      `source "$1"; COMP_LINE=$2; COMP_POINT=\${#COMP_LINE}; _passgrant_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      "bash",
      script.bash as string,
      line,
    ],
    { cwd: work, env: shellEnv(env), encoding: "utf8", timeout: 20_000 },
  );
  return out.split("\n").filter((word) => word !== "");
}

/**
 * The `compopt` calls the bash function makes for `line`. compopt itself only works while bash
 * is completing, so a stand-in records them.
 */
function bashCompopt(line: string): string[] {
  const out = execFileSync(
    "bash",
    [
      "--norc",
      "--noprofile",
      "-c",
      `source "$1"; compopt() { printf '%s\\n' "$*"; }; COMP_LINE=$2; COMP_POINT=\${#COMP_LINE}; _passgrant_complete`,
      "bash",
      script.bash as string,
      line,
    ],
    { cwd: work, env: shellEnv(), encoding: "utf8", timeout: 20_000 },
  );
  return out.split("\n").filter((word) => word !== "");
}

/** A spec passgrant did not shape: parameters of the path and the operation, headers, enums. */
const library = fileURLToPath(new URL("../fixtures/library-api.yaml", import.meta.url));

/** What the shells' callback prints for `words` (the protocol the zsh and fish scripts use). */
async function callback(shell: "zsh" | "fish", words: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await runCli(["completion", "complete", shell, "--", ...words], {
    cwd: work,
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return stdout.split("\n").filter((line) => line !== "");
}

const msxIds = () => {
  const spec = parse(readFileSync(new URL("../../openapi/msx.yaml", import.meta.url), "utf8"));
  return Object.values(spec.paths as Record<string, Record<string, { operationId?: string }>>)
    .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
    .filter((id): id is string => typeof id === "string")
    .sort();
};

describe("passgrant completion bash, in bash", () => {
  it("registers one function, keeping file names as the fallback", () => {
    const out = execFileSync(
      "bash",
      ["--norc", "-c", `source "$1"; complete -p passgrant`, "bash", script.bash as string],
      {
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("complete -o default -F _passgrant_complete passgrant");
  });

  it("completes the commands of run.ts's table", () => {
    expect(bash("passgrant ")).toEqual(commands.map((command) => command.name));
    expect(bash("passgrant to")).toEqual(["token"]);
    expect(bash("passgrant help ten")).toEqual(["tenants"]);
  });

  it("completes each command's options from its own definitions, global ones included", () => {
    for (const command of commands) {
      const names = Object.keys({ ...globalOptions, ...command.options }).map(
        (name) => `--${name}`,
      );
      expect(bash(`passgrant ${command.name} --`)).toEqual(names);
    }
    expect(bash("passgrant token --gr")).toEqual(["--grant"]);
    expect(bash("passgrant token --subject-token")).toEqual([
      "--subject-token",
      "--subject-token-type",
    ]);
    // An option already given is not offered again, unless it repeats (-p).
    expect(bash("passgrant token --json --j")).toEqual([]);
    expect(bash("passgrant api -p a=1 --pa")).toEqual([
      "--param",
      "--paginate",
      "--password-stdin",
    ]);
  });

  it("completes enumerated values, after a space or an =", () => {
    expect(bash("passgrant token --grant ")).toEqual([
      "password",
      "client-credentials",
      "device-code",
      "authorization-code",
      "refresh",
      "switch-tenant",
      "switch-user",
      "token-exchange",
    ]);
    // bash splits the word at "=": the candidate replaces only what follows it.
    expect(bash("passgrant token --grant=cl")).toEqual(["client-credentials"]);
    expect(bash("passgrant token --format ")).toEqual([
      "token",
      "json",
      "header",
      "exec-credential",
    ]);
    expect(bash("passgrant logout --grant ")).toEqual([
      "password",
      "client-credentials",
      "device-code",
      "authorization-code",
    ]);
    expect(bash("passgrant tenants list --sort-order d")).toEqual(["desc"]);
    expect(bash("passgrant tenants ")).toEqual(["list", "get", "create", "update", "delete"]);
    expect(bash("passgrant completion ")).toEqual(["bash", "zsh", "fish"]);
    expect(bash("passgrant credential-helper git ")).toEqual(["get", "store", "erase"]);
    // A value the option takes freely has no candidates (and no file names either).
    expect(bash("passgrant tenants create --name ")).toEqual([]);
  });

  it("completes the bundled MSX spec's operation ids after api", () => {
    expect(bash("passgrant api ").sort()).toEqual(msxIds());
    expect(bash("passgrant api --include getTenantsP")).toEqual(["getTenantsPage"]);
    // Only the first argument is an operation.
    expect(bash("passgrant api getTenant ")).toEqual([]);
  });

  it("completes the operation ids of the local --spec on the line, YAML or JSON", () => {
    writeFileSync(
      join(work, "orders.yaml"),
      [
        "openapi: 3.0.3",
        "info: { title: orders, version: '1' }",
        "paths:",
        "  /orders:",
        "    get:",
        "      operationId: listOrders",
        "      summary: List orders",
        "      parameters: [{ name: status, in: query, schema: { enum: [open, shipped] } }]",
        "      responses: { '200': { description: ok } }",
        "    post: { operationId: createOrder, responses: { '201': { description: ok } } }",
        "  /orders/{id}:",
        "    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]",
        "    get: { operationId: getOrder, responses: { '200': { description: ok } } }",
      ].join("\n"),
    );
    writeFileSync(
      join(work, "pets.json"),
      JSON.stringify({
        openapi: "3.1.0",
        info: { title: "pets", version: "1" },
        paths: { "/pets": { get: { operationId: "listPets", responses: {} } } },
      }),
    );
    expect(bash("passgrant api --spec orders.yaml ")).toEqual([
      "listOrders",
      "createOrder",
      "getOrder",
    ]);
    expect(bash("passgrant api --spec=./orders.yaml get")).toEqual(["getOrder"]);
    expect(bash(`passgrant api --spec ${join(work, "pets.json")} `)).toEqual(["listPets"]);
    expect(bash("passgrant api --spec missing.yaml ")).toEqual([]);
  });

  it("completes -p NAME= with the parameters of the line's operation, and NAME= with its values", () => {
    // The bundled MSX spec (parameters given as $refs to components/parameters).
    expect(bash("passgrant api getTenantsPage -p ")).toEqual([
      "page=",
      "pageSize=",
      "parentId=",
      "showImage=",
      "sortBy=",
      "sortOrder=",
    ]);
    // --spec's operation: query and header parameters; then the path's own ones.
    const listBooks = `passgrant api --spec ${library} listBooks`;
    expect(bash(`${listBooks} --param `)).toEqual([
      "page=",
      "pageSize=",
      "genre=",
      "sort=",
      "publishedAfter=",
      "available=",
      "X-Request-Id=",
    ]);
    expect(bash(`passgrant api deleteBook --spec ${library} -p `)).toEqual([
      "bookId=",
      "If-Match=",
    ]);
    // bash splits the word at "=": the candidate replaces only what follows it.
    expect(bash(`passgrant api --spec ${library} deleteBook --param=If`)).toEqual(["If-Match="]);
    // One given already is not offered again, unless it is an array (genre).
    expect(bash(`${listBooks} -p page=1 -p genre=poetry -p pa`)).toEqual(["pageSize="]);
    expect(bash(`${listBooks} -p page=1 -p genre=poetry -p g`)).toEqual(["genre="]);
    // After NAME=, the values the spec lists: an array's enum, a boolean's, an enum's.
    expect(bash(`${listBooks} -p genre=`)).toEqual(["fiction", "history", "science", "poetry"]);
    expect(bash(`${listBooks} -p available=`)).toEqual(["true", "false"]);
    expect(bash(`${listBooks} -p sort=-`)).toEqual(["-title", "-published"]);
    expect(bash(`${listBooks} -p page=`)).toEqual([]);
    // METHOD PATH: the template's operation; a literal path already gives the path parameter.
    expect(bash(`passgrant api --spec ${library} DELETE /books/{bookId} -p `)).toEqual([
      "bookId=",
      "If-Match=",
    ]);
    expect(
      bash(
        `passgrant api --spec ${library} delete /books/00000000-0000-4000-8000-000000000001 -p `,
      ),
    ).toEqual(["If-Match="]);
    // No operation yet, an unknown one, a path the spec lacks: nothing, and no error.
    expect(bash("passgrant api -p ")).toEqual([]);
    expect(bash("passgrant api getTenantz -p ")).toEqual([]);
    expect(bash("passgrant api GET /nowhere -p ")).toEqual([]);
  });

  it("leaves no space after NAME=, so the value follows; a whole word gets its space", () => {
    expect(bashCompopt("passgrant api getTenant -p ")).toEqual(["-o nospace"]);
    expect(bashCompopt(`passgrant api --spec ${library} listBooks -p genre=`)).toEqual([]);
    expect(bashCompopt("passgrant token --grant ")).toEqual([]);
    expect(bashCompopt("passgrant tenants create --name ")).toEqual(["+o default"]);
  });

  it("never evaluates the line: a command substitution typed in quotes does not run", () => {
    const marker = join(work, "ran");
    expect(bash(`passgrant api --body '$(touch ${marker})' --inc`)).toEqual(["--include"]);
    expect(bash(`passgrant api --body "\`touch ${marker}\`" --inc`)).toEqual(["--include"]);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("profile names and the profile's spec", () => {
  beforeAll(async () => {
    // Made by `passgrant profile add` itself, in the config file under HOME (~/.config).
    for (const [name, spec] of [
      ["lab", "orders.yaml"],
      ["staging", undefined],
    ] as const) {
      const { code, stderr } = await runCli(
        [
          "profile",
          "add",
          name,
          "--base-url",
          "https://msx.example.test",
          "--client-id",
          "cli",
          ...(spec ? ["--spec", spec] : []),
        ],
        { cwd: work, env: { HOME: work } },
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    }
  });

  it("completes --profile and the profile commands' names from the config file", () => {
    expect(bash("passgrant --profile ")).toEqual(["lab", "staging"]);
    expect(bash("passgrant --profile=st")).toEqual(["staging"]);
    expect(bash("passgrant token --profile ")).toEqual(["lab", "staging"]);
    expect(bash("passgrant profile show l")).toEqual(["lab"]);
    expect(bash("passgrant profile ")).toEqual(["list", "show", "add", "remove", "use"]);
    expect(bash("passgrant profile add x --client-auth ")).toContain("private_key_jwt");
  });

  it("completes -p with the parameters of the profile's spec", () => {
    expect(bash("passgrant api --profile lab getOrder -p ")).toEqual(["id="]);
    expect(bash("passgrant --profile lab api listOrders -p ")).toEqual(["status="]);
    expect(bash("passgrant api getOrder -p ", { PASSGRANT_PROFILE: "lab" })).toEqual(["id="]);
    expect(bash("passgrant api --profile staging getTenant -p ")).toEqual(["id=", "showImage="]);
  });

  it("completes the operation ids of the profile's spec, however the profile is picked", () => {
    const orders = ["listOrders", "createOrder", "getOrder"];
    expect(bash("passgrant api --profile lab ")).toEqual(orders);
    expect(bash("passgrant --profile lab api get")).toEqual(["getOrder"]);
    expect(bash("passgrant api ", { PASSGRANT_PROFILE: "lab" })).toEqual(orders);
    // --spec on the line wins; a profile without a spec means the bundled one.
    expect(bash("passgrant api --profile lab --spec pets.json ")).toEqual(["listPets"]);
    expect(bash("passgrant api --profile staging ").sort()).toEqual(msxIds());
  });

  it("offers no profile, and no error, when the config file is unusable", () => {
    const broken = join(work, "broken.json");
    writeFileSync(broken, "{ not json");
    expect(bash("passgrant --profile ", { PASSGRANT_CONFIG: broken })).toEqual([]);
    expect(bash("passgrant api ", { PASSGRANT_CONFIG: broken }).sort()).toEqual(msxIds());
  });
});

describe("the completion callback", () => {
  it("hands file names to the shell for file options and arguments", async () => {
    expect(await callback("zsh", ["api", "--spec", ""])).toEqual(["files"]);
    expect(await callback("fish", ["token", "--cache-file", "/tm"])).toEqual(["files"]);
    expect(await callback("fish", ["generate", "sp"])).toEqual(["files"]);
    expect(await callback("zsh", ["--dotenv", ""])).toEqual(["words"]);
  });

  it("describes candidates for zsh (word:description, colons escaped) and fish (word TAB description)", async () => {
    expect(await callback("zsh", ["api", "getTenantsP"])).toEqual([
      "words",
      "getTenantsPage:GET /idm/api/v8/tenants",
    ]);
    expect(await callback("fish", ["tok"])).toEqual([
      "words",
      "token\tprint an access token for scripts (TOKEN=$(passgrant token))",
    ]);
    expect(await callback("fish", ["token", "--grant=de"])).toEqual([
      "words",
      "--grant=device-code",
    ]);
  });

  it("never fetches a --spec URL while completing", async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.end("openapi: 3.0.3\npaths: {}\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(
        await callback("zsh", ["api", "--spec", `http://127.0.0.1:${port}/spec.yaml`, ""]),
      ).toEqual(["words"]);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it("drops operation ids a user could not type and escapes control characters in summaries", async () => {
    writeFileSync(
      join(work, "hostile.json"),
      JSON.stringify({
        openapi: "3.0.3",
        paths: {
          "/a": {
            get: { operationId: "evil\u001b]0;pwned\u0007", responses: {} },
            put: { operationId: "fine", summary: "clears \u001b[2J the screen", responses: {} },
            post: { operationId: "two\nlines", responses: {} },
          },
        },
      }),
    );
    expect(await callback("fish", ["api", "--spec", "hostile.json", ""])).toEqual([
      "words",
      "fine\tPUT /a: clears \\x1b[2J the screen",
    ]);
  });
});

// Off CI, a machine without zsh or fish skips their tests; CI (.ci/run installs both) requires them.
const hasShell = (name: string) =>
  process.env.CI !== undefined || spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;

describe.runIf(hasShell("zsh"))("passgrant completion zsh, in zsh", () => {
  // Outside an interactive line editor, zsh's completion widgets are stood in for: _describe and
  // _files print what they were given (and the options _describe hands to compadd); the script's
  // own code runs as it is.
  const zsh = (words: string[]) =>
    execFileSync(
      "zsh",
      [
        "-f",
        "-c",
        `compdef() { :; }; _files() { print -r FILES; }
_describe() { print -rl -- "\${(@P)4}"; (( $# < 5 )) || print -r -- "compadd \${(j: :)\${(q)@[5,-1]}}"; }
source "$1"; shift; words=("$@"); CURRENT=$#; PREFIX=\${words[-1]}; _passgrant`,
        "zsh",
        script.zsh as string,
        "passgrant",
        ...words,
      ],
      { cwd: work, env: shellEnv(), encoding: "utf8", timeout: 20_000 },
    )
      .split("\n")
      .filter((line) => line !== "");

  it("passes the words and shows the candidates with their descriptions", () => {
    expect(zsh(["token", "--grant", "sw"])).toEqual(["switch-tenant", "switch-user"]);
    expect(zsh(["token", "--grant", "to"])).toEqual(["token-exchange"]);
    expect(zsh(["api", "getTenantsP"])).toEqual(["getTenantsPage:GET /idm/api/v8/tenants"]);
    expect(zsh(["api", "--spec", ""])).toEqual(["FILES"]);
    expect(zsh(["api", "--body", "'$(touch ran-zsh)'", "--inc"])).toEqual(["--include"]);
    expect(existsSync(join(work, "ran-zsh"))).toBe(false);
  });

  it("completes -p NAME= without a trailing space (compadd -S ''), then the values", () => {
    expect(zsh(["api", "getTenant", "-p", ""])).toEqual([
      "id=:path, string (uuid), required",
      "showImage=:query, boolean",
      "compadd -S ''",
    ]);
    expect(zsh(["api", "--spec", library, "listMembers", "-p", "status="])).toEqual([
      "status=active",
      "status=suspended",
      "status=closed",
    ]);
  });
});

describe.runIf(hasShell("fish"))("passgrant completion fish, in fish", () => {
  // fish's own completion engine, asked non-interactively with `complete -C`.
  const fish = (line: string) =>
    execFileSync(
      "fish",
      ["--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script.fish as string, line],
      {
        cwd: work,
        env: shellEnv(),
        encoding: "utf8",
        timeout: 20_000,
      },
    )
      .split("\n")
      .filter((line) => line !== "");

  it("completes commands, values and operation ids with descriptions", () => {
    expect(fish("passgrant tena")).toEqual([
      "tenants\tlist, get, create, update and delete tenants",
    ]);
    expect(fish("passgrant token --format=ex")).toEqual(["--format=exec-credential"]);
    expect(fish("passgrant api getTenantsP")).toEqual(["getTenantsPage\tGET /idm/api/v8/tenants"]);
    writeFileSync(join(work, "spec-one.yaml"), "openapi: 3.0.3\npaths: {}\n");
    expect(fish("passgrant api --spec spec-o")).toEqual(["spec-one.yaml"]);
    expect(fish("passgrant api --body '(touch ran-fish)' --inc")).toEqual(["--include"]);
    expect(existsSync(join(work, "ran-fish"))).toBe(false);
  });

  it("completes -p NAME= (fish adds no space after a trailing =) and the values after it", () => {
    // fish sorts what it shows.
    expect(fish(`passgrant api --spec ${library} listMembers --param `)).toEqual([
      "status=\tquery, string [active|suspended|closed]",
      "X-Branch=\theader, string, required",
    ]);
    expect(fish(`passgrant api --spec ${library} listMembers -p status=s`)).toEqual([
      "status=suspended",
    ]);
  });
});
