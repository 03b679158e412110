import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The import graph of `src/`: for each module, the modules it imports by relative path (type-only
 * imports included: a cycle of types still ties the modules together for a reader).
 */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) graph.set(relative(root, path), importsOf(root, path));
    }
  };
  walk(root);
  return graph;
}

function importsOf(root: string, file: string): string[] {
  const text = readFileSync(file, "utf8");
  const targets = new Set<string>();
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/g)) {
    const specifier = match[1] ?? "";
    if (!specifier.endsWith(".js")) continue;
    const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
    if (target.startsWith(root)) targets.add(relative(root, target));
  }
  return [...targets];
}

/** Every cycle, each as the list of modules along it (found by depth-first search). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
