import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { profileNames, selectProfile } from "../config/profiles.js";
import type { SpecDocument } from "../spec/document.js";
import { msxOperations } from "../spec/msx-operations.js";
import type {
  Candidate,
  CompletionSources,
  LineValues,
  ParameterChoice,
} from "./completion-candidates.js";
import type { CommandContext } from "./context.js";

/** A spec larger than this is not read while completing (a TAB must stay quick). */
const MAX_SPEC_BYTES = 8 * 1024 * 1024;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * What completion computes at run time: operation ids, their parameters and profile names. Only local files are
 * read (the config file, a spec): a `--spec` URL, given or a profile's, is not fetched (a TAB
 * sends nothing over the network), and no .env, secret or token cache is touched. A config file
 * that cannot be used offers no profile (its problems are for the command to report).
 */
export function completionSources(context: CommandContext): CompletionSources {
  return {
    operations: (line) => operationCandidates(line, context),
    // A missing or broken config file offers no names: a TAB never prints an error.
    profiles: () => profileNames(context.env).catch(() => []),
    parameters: (line) => parameterChoices(line, context),
  };
}

async function operationCandidates(
  line: LineValues,
  context: CommandContext,
): Promise<readonly Candidate[]> {
  const spec = await specFile(line, context);
  if (spec === "bundled") {
    // The bundled MSX spec, from its operation table: no YAML to parse.
    return Object.entries(msxOperations).map(([id, { method, path }]) => ({
      value: id,
      description: `${method} ${path}`,
    }));
  }
  if (spec === undefined) return [];
  const text = await readFile(spec, "utf8");
  const document = text.trimStart().startsWith("{")
    ? JSON.parse(text)
    : (await import("yaml")).parse(text);
  return operationsOf(document);
}

/**
 * The spec the line's `passgrant api` would call: --spec on the line, else the spec of the profile
 * the run would use (--profile on the line, PASSGRANT_PROFILE, the file's current one), else the
 * bundled MSX spec. `undefined` when it is not read while completing: a URL, or anything but a
 * regular file of reasonable size (a FIFO would block the TAB).
 */
async function specFile(
  line: LineValues,
  context: CommandContext,
): Promise<string | "bundled" | undefined> {
  const spec = line.spec ?? profileSpec(line.profile, context);
  if (spec === undefined) return "bundled";
  const file = localPath(spec, context);
  if (file === undefined) return undefined;
  const info = await stat(file);
  return info.isFile() && info.size <= MAX_SPEC_BYTES ? file : undefined;
}

/**
 * The parameters of the line's operation, read by the code `passgrant api` checks `-p` with
 * (parameters of the path and of the operation, `$ref`s followed): what completion offers is
 * what the command accepts. That code loads the spec parser and validator, so only a TAB after
 * `-p` pays for it.
 */
async function parameterChoices(
  line: LineValues,
  context: CommandContext,
): Promise<readonly ParameterChoice[]> {
  const [first, path, ...extra] = line.arguments;
  if (first === undefined || extra.length > 0) return [];
  const spec = await specFile(line, context);
  if (spec === undefined) return [];
  const document: SpecDocument =
    spec === "bundled"
      ? (await import("../spec/msx-spec.js")).loadMsxDocument()
      : (await import("../spec/document.js")).loadDocument(spec);
  const { apiOperation, matchOperation } = await import("./api-operation.js");
  const { schemaType } = await import("./api-help.js");
  // OPERATION_ID, or METHOD PATH (a literal path's segments already give its path parameters).
  const matched =
    path === undefined
      ? { operation: apiOperation(document, first), pathParams: [] }
      : matchOperation(document, first.toUpperCase(), path);
  if (matched === undefined) return [];
  const filled = new Set(matched.pathParams.map((param) => param.slice(0, param.indexOf("="))));
  return matched.operation.parameters
    .filter((parameter) => !filled.has(parameter.name))
    .map((parameter) => {
      const { schema } = parameter;
      const item = (schema.type === "array" ? (schema.items ?? {}) : schema) as typeof schema;
      const values =
        item.type === "boolean" ? ["true", "false"] : (item.enum ?? []).map((value) => `${value}`);
      return {
        name: parameter.name,
        description: `${parameter.in}, ${schemaType(schema)}${parameter.required ? ", required" : ""}`,
        values,
        repeats: schema.type === "array",
      };
    });
}

function profileSpec(flag: string | undefined, context: CommandContext): string | undefined {
  try {
    return selectProfile(context.env, flag)?.options.spec;
  } catch {
    return undefined;
  }
}

/** The file a --spec value names, or undefined for a URL (not fetched while completing). */
function localPath(spec: string, context: CommandContext): string | undefined {
  if (/^file:/i.test(spec)) return fileURLToPath(spec);
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return undefined;
  const home = context.env.HOME ?? homedir();
  const path = spec === "~" || spec.startsWith("~/") ? `${home}${spec.slice(1)}` : spec;
  return resolve(context.cwd, path);
}

/** Each operation's id, with its method, path and summary as the description. */
function operationsOf(document: unknown): Candidate[] {
  const paths = (document as { paths?: unknown } | null)?.paths;
  if (typeof paths !== "object" || paths === null) return [];
  const candidates: Candidate[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (typeof item !== "object" || item === null) continue;
    for (const method of METHODS) {
      const operation = (item as Record<string, { operationId?: unknown; summary?: unknown }>)[
        method
      ];
      if (typeof operation?.operationId !== "string") continue;
      const summary = typeof operation.summary === "string" ? `: ${operation.summary}` : "";
      candidates.push({
        value: operation.operationId,
        description: `${method.toUpperCase()} ${path}${summary}`,
      });
    }
  }
  return candidates;
}
