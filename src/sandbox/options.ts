import { z } from "zod";
import { dropUndefined } from "../drop-undefined.js";
import { ConfigError } from "../errors.js";
import { ALL_GRANT_TYPES } from "../spec/grants.js";
import { type FaultRule, faultRuleSchema } from "./faults.js";
import { HOME_TENANT_ID } from "./seed.js";
import type { StoreLimits } from "./store.js";

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Grants this client may use; default: all five. */
  grantTypes?: string[];
}

export interface SandboxUser {
  username: string;
  password: string;
  /** Default `["ROLE_SUPER_USER"]`; see the README for what each role may do. */
  roles?: string[];
  /** The user's home tenant; default: the seeded "Dandelion and Burdock" (when seeded). */
  tenantId?: string;
}

export interface SandboxOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  clients?: SandboxClient[];
  users?: SandboxUser[];
  /** Default 9000 (the guide's accessTokenValiditySeconds). */
  accessTokenTtlSeconds?: number;
  /** Default 18000. */
  refreshTokenTtlSeconds?: number;
  /** Default true: start with a few tenants (Dandelion and Burdock, Coke, Pepsi, Sprite). */
  seed?: boolean;
  faults?: FaultRule[];
  /**
   * Most tenants the in-memory store holds, seeded ones included. Creating one more answers 409
   * (code `SANDBOX_FULL`) until some are deleted.
   * @default 10000
   */
  maxTenants?: number;
  /**
   * Most bytes one tenant may take, measured as its JSON in UTF-8. A create or update past it
   * answers 400. The largest tenant the spec's field limits allow (a 40,000-character image)
   * takes about 41 KB; `url` and `externalId` have no limit in the spec, so this one applies.
   * @default 65536 (64 KiB)
   */
  maxTenantBytes?: number;
  /**
   * Most bytes all tenants together may take, measured the same way: the sandbox's memory bound
   * for tenants. A create or update past it answers 409 (code `SANDBOX_FULL`).
   * @default 33554432 (32 MiB: about 800 tenants with the largest images, or the 10,000 of
   * `maxTenants` without images)
   */
  maxStoreBytes?: number;
  /** Epoch milliseconds; default Date.now. For tests that move time. */
  clock?: () => number;
  /** Called with one line per request (method, path, status, duration); never a secret. */
  log?: (line: string) => void;
}

/** The credentials a sandbox uses when neither options nor environment say otherwise. */
export const SANDBOX_DEFAULTS = {
  clientId: "passgrant-sandbox-client",
  clientSecret: "sandbox-client-secret",
  username: "superuser",
  password: "sandbox-password",
} as const;

/** The store's limits unless options say otherwise (see {@link SandboxOptions}). */
export const DEFAULT_LIMITS: StoreLimits = {
  maxTenants: 10_000,
  maxTenantBytes: 64 * 1024,
  maxStoreBytes: 32 * 1024 * 1024,
};

const credential = z.string().min(1, "must not be empty");

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  clients: z
    .array(
      z.strictObject({
        clientId: credential,
        clientSecret: credential,
        grantTypes: z.array(z.enum(ALL_GRANT_TYPES)).optional(),
      }),
    )
    .min(1, "must name at least one client")
    .optional(),
  users: z
    .array(
      z.strictObject({
        username: credential,
        password: credential,
        roles: z.array(z.string()).optional(),
        tenantId: z.string().optional(),
      }),
    )
    .min(1, "must name at least one user")
    .optional(),
  accessTokenTtlSeconds: z.number().int().positive().optional(),
  refreshTokenTtlSeconds: z.number().int().positive().optional(),
  seed: z.boolean().optional(),
  faults: z.array(faultRuleSchema).optional(),
  maxTenants: z.number().int().positive().optional(),
  maxTenantBytes: z.number().int().positive().optional(),
  maxStoreBytes: z.number().int().positive().optional(),
  clock: z
    .custom<() => number>((value) => typeof value === "function", "must be a function")
    .optional(),
  log: z
    .custom<(line: string) => void>((value) => typeof value === "function", "must be a function")
    .optional(),
});

export interface ResolvedClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grantTypes: readonly string[];
}

export interface ResolvedUser {
  readonly username: string;
  readonly password: string;
  readonly roles: readonly string[];
  readonly tenantId?: string;
}

export interface ResolvedSandboxOptions {
  readonly port: number;
  readonly host: string;
  readonly clients: readonly ResolvedClient[];
  readonly users: readonly ResolvedUser[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly seed: boolean;
  readonly faults: readonly FaultRule[];
  readonly limits: StoreLimits;
  readonly clock: () => number;
  readonly log?: (line: string) => void;
}

/**
 * Checks the options and fills in defaults. Credentials come from options first, then from
 * `PASSGRANT_SANDBOX_CLIENT_ID`, `_CLIENT_SECRET`, `_USERNAME`, `_PASSWORD`, then the built-in
 * defaults. Bad options throw a ConfigError listing each problem (never a secret).
 */
export function resolveSandboxOptions(
  options: SandboxOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSandboxOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `sandbox option ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      ),
    );
  }
  const value = parsed.data;
  const seed = value.seed ?? true;
  const fromEnv = (name: string, fallback: string) => env[`PASSGRANT_SANDBOX_${name}`] || fallback;
  const clients = value.clients ?? [
    {
      clientId: fromEnv("CLIENT_ID", SANDBOX_DEFAULTS.clientId),
      clientSecret: fromEnv("CLIENT_SECRET", SANDBOX_DEFAULTS.clientSecret),
    },
  ];
  const users = value.users ?? [
    {
      username: fromEnv("USERNAME", SANDBOX_DEFAULTS.username),
      password: fromEnv("PASSWORD", SANDBOX_DEFAULTS.password),
    },
  ];
  const homeTenantId = seed ? HOME_TENANT_ID : undefined;
  return {
    port: value.port ?? 0,
    host: value.host ?? "127.0.0.1",
    clients: clients.map((client) => ({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      grantTypes: client.grantTypes ?? ALL_GRANT_TYPES,
    })),
    users: users.map((user) =>
      dropUndefined({
        username: user.username,
        password: user.password,
        roles: user.roles ?? ["ROLE_SUPER_USER"],
        tenantId: (user.tenantId ?? homeTenantId) || undefined,
      }),
    ),
    accessTokenTtlSeconds: value.accessTokenTtlSeconds ?? 9000,
    refreshTokenTtlSeconds: value.refreshTokenTtlSeconds ?? 18_000,
    seed,
    faults: (value.faults ?? []).map(dropUndefined),
    limits: {
      maxTenants: value.maxTenants ?? DEFAULT_LIMITS.maxTenants,
      maxTenantBytes: value.maxTenantBytes ?? DEFAULT_LIMITS.maxTenantBytes,
      maxStoreBytes: value.maxStoreBytes ?? DEFAULT_LIMITS.maxStoreBytes,
    },
    clock: value.clock ?? Date.now,
    ...(value.log && { log: value.log }),
  };
}
