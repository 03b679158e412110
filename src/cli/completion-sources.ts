import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { profileNames, selectProfile } from "../config/profiles.js";
import { msxOperations } from "../spec/msx-operations.js";
import type { Candidate, CompletionSources, LineValues } from "./completion-candidates.js";
import type { CommandContext } from "./context.js";

/** A spec larger than this is not read while completing (a TAB must stay quick). */
const MAX_SPEC_BYTES = 8 * 1024 * 1024;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * What completion computes at run time: operation ids and profile names. Only local files are
 * read (the config file, a spec): a `--spec` URL, given or a profile's, is not fetched (a TAB
 * sends nothing over the network), and no .env, secret or token cache is touched. A config file
 * that cannot be used offers no profile (its problems are for the command to report).
 */
export function completionSources(context: CommandContext): CompletionSources {
  return {
    operations: (line) => operationCandidates(line, context),
    // A missing or broken config file offers no names: a TAB never prints an error.
    profiles: () => profileNames(context.env).catch(() => []),
  };
}

async function operationCandidates(
  line: LineValues,
  context: CommandContext,
): Promise<readonly Candidate[]> {
  // --spec on the line, else the spec of the profile the run would use (--profile on the line,
  // PASSGRANT_PROFILE, the file's current one), else the bundled MSX spec.
  const spec = line.spec ?? profileSpec(line.profile, context);
  if (spec === undefined) {
    // The bundled MSX spec, from its operation table: no YAML to parse.
    return Object.entries(msxOperations).map(([id, { method, path }]) => ({
      value: id,
      description: `${method} ${path}`,
    }));
  }
  const file = localPath(spec, context);
  if (file === undefined) return [];
  const info = await stat(file);
  if (!info.isFile() || info.size > MAX_SPEC_BYTES) return [];
  const text = await readFile(file, "utf8");
  const document = text.trimStart().startsWith("{")
    ? JSON.parse(text)
    : (await import("yaml")).parse(text);
  return operationsOf(document);
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
