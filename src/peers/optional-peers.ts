import { ConfigError } from "../errors.js";

/**
 * The packages `passgrant/sandbox` and `passgrant/testing` need and the package root does not:
 * optional peer dependencies (package.json `peerDependencies` + `peerDependenciesMeta`), so a
 * library user who never starts a sandbox or mocks a platform does not install a server's worth
 * of packages. The `passgrant` executable bundles them and needs none of them installed.
 * Keep the ranges equal to package.json's `peerDependencies` (a test checks).
 */
export const SPEC_PEERS = {
  "openapi-backend": "~5.20.1",
  "ajv-formats": "^3.0.1",
  yaml: "^2.9.1",
} as const;

/** What the contract-testing kit needs besides {@link SPEC_PEERS}. */
export const NOCK_PEER = { nock: ">=14.0.0" } as const;

/**
 * Throws a {@link ConfigError} naming the one `npm install` command that adds whichever of
 * `peers` cannot be resolved from passgrant's own location. Runs before the entry's other modules
 * evaluate, so the user sees this instead of Node's "Cannot find package".
 */
export function assertPeersInstalled(entry: string, peers: Readonly<Record<string, string>>): void {
  const missing = Object.entries(peers).filter(([name]) => !resolvable(name));
  if (missing.length === 0) return;
  const names = missing.map(([name]) => name);
  throw new ConfigError(
    `${entry} needs ${listed(names)}, optional peer ${names.length === 1 ? "dependency" : "dependencies"} ` +
      `of passgrant that ${names.length === 1 ? "is" : "are"} not installed. Install ` +
      `${names.length === 1 ? "it" : "them"} with: ` +
      `npm install --save-dev ${missing.map(([name, range]) => `"${name}@${range}"`).join(" ")}`,
  );
}

function resolvable(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function listed(names: string[]): string {
  return names.length === 1
    ? (names[0] ?? "")
    : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
