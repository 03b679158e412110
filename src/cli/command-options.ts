import { CLIENT_AUTH_METHODS } from "../auth/client-auth.js";
import type { CommandOptions } from "./args.js";

/**
 * What each command accepts on its command line, declared once: the command parses its arguments
 * with these definitions, and `passgrant completion` offers the same names and values. A module
 * of plain data, so that completing a word loads no command's code.
 */

/** The --grant names of `passgrant token`, in one style (the CLI's kebab case). */
export const grants = [
  "password",
  "client-credentials",
  "device-code",
  "authorization-code",
  "refresh",
  "switch-tenant",
  "switch-user",
  "token-exchange",
] as const;

/** The grants whose tokens the cache keys (the --grant of logout and credential-helper). */
export const cachedGrants = [
  "password",
  "client-credentials",
  "device-code",
  "authorization-code",
] as const;

/** How `passgrant token --format` prints the token. */
export const tokenFormats = ["token", "json", "header", "exec-credential"] as const;

/** The git-credential(1) operations `passgrant credential-helper git` answers. */
export const gitCredentialOperations = ["get", "store", "erase"] as const;

/** The actions of `passgrant tenants`. */
export const tenantActions = ["list", "get", "create", "update", "delete"] as const;

/** The shells `passgrant completion` writes a script for. */
export const completionShells = ["bash", "zsh", "fish"] as const;

/** `--cache` and `--cache-file`, shared by the commands that obtain a token. */
export const cacheOptions = {
  cache: { type: "boolean" },
  "cache-file": { type: "string", completes: "file" },
} as const satisfies CommandOptions;

const passwordStdin = { "password-stdin": { type: "boolean" } } as const;

export const demoOptions = { json: { type: "boolean" } } as const satisfies CommandOptions;

export const tokenOptions = {
  json: { type: "boolean" },
  introspect: { type: "boolean" },
  format: { type: "string", choices: tokenFormats },
  grant: { type: "string", choices: grants },
  "tenant-id": { type: "string" },
  "tenant-name": { type: "string" },
  "switch-username": { type: "string" },
  // --grant token-exchange (RFC 8693 §2.1). The subject token is `-` (stdin) or `@FILE`, never
  // the token itself; completion offers no file names, which would lack the `@`.
  "subject-token": { type: "string" },
  "subject-token-type": { type: "string" },
  audience: { type: "string" },
  resource: { type: "string" },
  "requested-token-type": { type: "string" },
  "no-browser": { type: "boolean" },
  ...passwordStdin,
  ...cacheOptions,
} as const satisfies CommandOptions;

export const credentialHelperOptions = {
  grant: { type: "string", choices: cachedGrants },
  ...cacheOptions,
} as const satisfies CommandOptions;

export const loginOptions = {
  web: { type: "boolean" },
  "no-browser": { type: "boolean" },
  "cache-file": cacheOptions["cache-file"],
} as const satisfies CommandOptions;

export const logoutOptions = {
  grant: { type: "string", choices: cachedGrants },
  "cache-file": cacheOptions["cache-file"],
} as const satisfies CommandOptions;

export const statusOptions = {
  json: { type: "boolean" },
  "cache-file": cacheOptions["cache-file"],
} as const satisfies CommandOptions;

export const tenantsOptions = {
  json: { type: "boolean" },
  all: { type: "boolean" },
  page: { type: "string" },
  "page-size": { type: "string" },
  "sort-by": { type: "string" },
  "sort-order": { type: "string", choices: ["asc", "desc"] },
  "parent-id": { type: "string" },
  "external-id": { type: "string" },
  name: { type: "string" },
  description: { type: "string" },
  email: { type: "string" },
  url: { type: "string" },
  ...passwordStdin,
  ...cacheOptions,
} as const satisfies CommandOptions;

export const apiOptions = {
  param: { type: "string", short: "p", multiple: true, completes: "parameter" },
  body: { type: "string" },
  spec: { type: "string", completes: "file" },
  include: { type: "boolean" },
  paginate: { type: "boolean" },
  query: { type: "string" },
  list: { type: "boolean" },
  ...passwordStdin,
  ...cacheOptions,
} as const satisfies CommandOptions;

export const generateOptions = {
  out: { type: "string", completes: "file" },
  check: { type: "boolean" },
} as const satisfies CommandOptions;

export const sandboxOptions = {
  port: { type: "string" },
  host: { type: "string" },
  json: { type: "boolean" },
} as const satisfies CommandOptions;

export const completionOptions = {} as const satisfies CommandOptions;

/** The actions of `passgrant profile`. */
export const profileActions = ["list", "show", "add", "remove", "use"] as const;

/**
 * The settings `passgrant profile add` stores, one flag per profile key (`--base-url` is
 * `baseUrl`). There is no flag for a secret: none is ever written to the config file.
 */
export const profileSettingOptions = {
  "base-url": { type: "string" },
  "token-url": { type: "string" },
  issuer: { type: "string" },
  "client-id": { type: "string" },
  "client-auth": { type: "string", choices: CLIENT_AUTH_METHODS },
  "client-assertion-key-file": { type: "string", completes: "file" },
  "client-cert-file": { type: "string", completes: "file" },
  "client-cert-key-file": { type: "string", completes: "file" },
  username: { type: "string" },
  scope: { type: "string" },
  "ca-file": { type: "string", completes: "file" },
  spec: { type: "string", completes: "file" },
  "insecure-tls": { type: "boolean" },
  "timeout-ms": { type: "string" },
  retries: { type: "string" },
  "max-response-bytes": { type: "string" },
} as const satisfies CommandOptions;

export const profileOptions = {
  json: { type: "boolean" },
  replace: { type: "boolean" },
  none: { type: "boolean" },
  ...profileSettingOptions,
} as const satisfies CommandOptions;

/**
 * What completion offers at a command's positional argument: fixed words, the spec's operation
 * ids, file names, the config file's profile names, or, by the argument before it (an action),
 * what that action takes (an action it does not name takes nothing).
 */
export type ArgumentCompletion =
  | readonly string[]
  | "operation"
  | "file"
  | "profile"
  | { readonly after: Readonly<Record<string, ArgumentCompletion>> };

/**
 * The NAME of `profile show|remove|use` is an existing profile. `add` takes a new name, so it
 * offers none: offering the existing ones would invite overwriting one (`--replace`) by a TAB.
 */
export const profileArguments = [
  profileActions,
  {
    after: { show: "profile", remove: "profile", use: "profile" } satisfies Partial<
      Record<(typeof profileActions)[number], ArgumentCompletion>
    >,
  },
] as const satisfies readonly ArgumentCompletion[];
