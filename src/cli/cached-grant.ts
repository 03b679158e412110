import { UsageError } from "./args.js";
import type { cachedGrants } from "./command-options.js";
import { grantChoice } from "./grant-choice.js";

/** The grants whose tokens `passgrant token --cache` stores under a key of their own. */
const CACHED_GRANTS = {
  password: "password",
  "client-credentials": "client_credentials",
  "device-code": "device_code",
  "authorization-code": "authorization_code",
} as const satisfies Record<(typeof cachedGrants)[number], string>;

export type CachedGrant = (typeof CACHED_GRANTS)[keyof typeof CACHED_GRANTS];

/**
 * The `--grant` of a command that works on a cached identity (`logout`, `credential-helper`):
 * any spelling `passgrant token` accepts, limited to the grants the cache keys.
 */
export function cachedGrantOption(value: string | undefined, command: string): CachedGrant {
  const choice = grantChoice(value ?? "password");
  if (choice !== undefined && Object.hasOwn(CACHED_GRANTS, choice)) {
    return CACHED_GRANTS[choice as keyof typeof CACHED_GRANTS];
  }
  throw new UsageError(
    `--grant must be one of ${Object.keys(CACHED_GRANTS).join(", ")}, got ${JSON.stringify(value)}.`,
    command,
  );
}
