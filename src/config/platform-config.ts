import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  CLIENT_AUTH_METHODS,
  type ClientAuthMethod,
  isClientAuthMethod,
  sendsSecret,
  signsAssertion,
  usesClientCertificate,
} from "../auth/client-auth.js";
import { dropUndefined } from "../drop-undefined.js";
import { ConfigError } from "../errors.js";
import { isLoopbackHost } from "../transport/loopback.js";
import type { Environment } from "./environment.js";
import { type ConfigVariable, configVariables, platformVariables } from "./variables.js";

/**
 * Why MSX_PASSWORD is needed, as a problem of `loadPlatformConfig` says it. The CLI, which also
 * takes the password on standard input, adds its flag after these words (src/cli/advice.ts).
 */
export const PASSWORD_NEEDED = "the password grant needs the user's password";

/** Where the token endpoint is when MSX_TOKEN_URL is not set: under MSX_BASE_URL. */
export const DEFAULT_TOKEN_PATH = "/idm/v2/token";

/** MSX_TIMEOUT_MS when unset. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Everything needed to reach one platform, validated. Secrets may be filled in later (prompt, stdin). */
export interface PlatformConfig {
  /** The API's root, without a trailing slash. Absent only when not required (`passgrant token`). */
  baseUrl?: string;
  /**
   * The token endpoint exactly as configured (a trailing slash is kept: `/token/` is not `/token`).
   * Absent only when `issuer` is set and names it.
   */
  tokenUrl?: string;
  /** The authorization server's issuer, whose metadata names the endpoints (RFC 8414). */
  issuer?: string;
  /** Empty when it was not required and is not set (a session for `security: []` calls only). */
  clientId: string;
  clientSecret?: string;
  clientAuth: ClientAuthMethod;
  /** The PEM file of the private key for `private_key_jwt` (RFC 7523). */
  clientAssertionKeyFile?: string;
  /** The PEM file of the TLS client certificate (RFC 8705), and of its key when apart. */
  clientCertFile?: string;
  clientCertKeyFile?: string;
  username?: string;
  password?: string;
  scope?: string;
  caFile?: string;
  insecureTls: boolean;
  timeoutMs: number;
  /** Unset: the transport's default (2). */
  retries?: number;
  /** Unset: the transport's default (16 MiB). */
  maxResponseBytes?: number;
}

/** Which credentials the caller needs now; a secret that will be prompted for is not required here. */
export interface ConfigRequirements {
  /**
   * The API's root URL (default true). Without it, MSX_TOKEN_URL must be set: the token endpoint
   * defaults from MSX_BASE_URL.
   */
  baseUrl?: boolean;
  /** The password grant's user (default true). */
  username?: boolean;
  /** The password grant's password (default true). */
  password?: boolean;
  /** The client secret, unless MSX_CLIENT_AUTH=none (default true). */
  clientSecret?: boolean;
  /** The client id (default true); not needed for calls that send no credentials. */
  clientId?: boolean;
}

const hint = (name: ConfigVariable) =>
  `Set it in the environment or in .env, e.g. ${name}=${configVariables[name].example}`;

const booleanWords: Record<string, boolean> = {
  true: true,
  "1": true,
  yes: true,
  on: true,
  false: false,
  "0": false,
  no: false,
  off: false,
};

/** A variable's value, or the problem with it (a message saying how to fix it). */
type Parsed<T> = { value: T } | { problem: string };

/**
 * An absolute https URL (http only to this machine) without credentials in it. Its path is kept as
 * given (a server may answer only `/token/`), except that `trimSlashes` drops trailing slashes
 * from a root that paths are appended to, and `exact` keeps the text itself (an issuer identifier
 * is compared as a string: `https://a.example` is not `https://a.example/`).
 */
const httpUrl =
  (
    name: ConfigVariable,
    { trimSlashes, exact = false }: { trimSlashes: boolean; exact?: boolean },
  ) =>
  (text: string): Parsed<string> => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return {
        problem: `${name} must be an absolute http(s) URL such as ${configVariables[name].example}, got ${JSON.stringify(text)}.`,
      };
    }
    if (url.username || url.password) {
      // Never echo the value: it holds credentials.
      return {
        problem: `${name} must not contain credentials (user:password@). Use MSX_USERNAME and MSX_PASSWORD instead.`,
      };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return {
        problem: `${name} must use https:// (or http:// for a local server), got ${url.protocol}//.`,
      };
    }
    // The transport would refuse at the first request with advice for library users
    // (allowInsecureHttp), which the CLI has no way to follow; say it here, with the other problems.
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      return {
        problem: `${name} uses plain http:// to ${url.host}, which is not this machine: passwords, client secrets and tokens would cross the network unencrypted. Use https://${url.host}${url.pathname.replace(/\/+$/, "")}.`,
      };
    }
    if (exact) return { value: text };
    return { value: trimSlashes ? url.href.replace(/\/+$/, "") : url.href };
  };

const anyText = (text: string): Parsed<string> => ({ value: text });
const absolutePath = (text: string): Parsed<string> => ({ value: resolve(text) });

/** A whole number within bounds, or `problem`. */
const wholeNumber =
  (fits: (value: number) => boolean, problem: (text: string) => string) =>
  (text: string): Parsed<number> => {
    const value = Number(text);
    return /^\d+$/.test(text.trim()) && fits(value) ? { value } : { problem: problem(text) };
  };

/**
 * How each variable is read, in the order its problems are reported. Plain functions rather
 * than a schema library: the CLI reads these on every run, and importing one (zod) cost more
 * than the rest of `passgrant token --cache` together.
 */
const parsers = {
  MSX_BASE_URL: httpUrl("MSX_BASE_URL", { trimSlashes: true }),
  MSX_TOKEN_URL: httpUrl("MSX_TOKEN_URL", { trimSlashes: false }),
  // Kept exactly as given: RFC 8414 §3.3 compares it with the metadata's issuer as a string.
  MSX_ISSUER: httpUrl("MSX_ISSUER", { trimSlashes: false, exact: true }),
  MSX_CLIENT_ID: anyText,
  MSX_CLIENT_SECRET: anyText,
  MSX_CLIENT_AUTH: (text: string): Parsed<ClientAuthMethod> =>
    isClientAuthMethod(text)
      ? { value: text }
      : {
          problem: `MSX_CLIENT_AUTH must be one of ${CLIENT_AUTH_METHODS.join(", ")}, got ${JSON.stringify(text)}.`,
        },
  // Read (bounded, checked) when the provider or transport is made: resolved here so a later
  // change of directory does not change which file that is.
  MSX_CLIENT_KEY_FILE: absolutePath,
  MSX_CLIENT_CERT_FILE: absolutePath,
  MSX_CLIENT_CERT_KEY_FILE: absolutePath,
  MSX_USERNAME: anyText,
  MSX_PASSWORD: anyText,
  MSX_SCOPE: anyText,
  MSX_CA_FILE: (text: string): Parsed<string> => {
    const path = resolve(text);
    return existsSync(path) && statSync(path).isFile()
      ? { value: path }
      : {
          problem: `MSX_CA_FILE: ${path} is not a readable file. Point it at the PEM file of the CA that signed the platform's certificate.`,
        };
  },
  MSX_INSECURE_TLS: (text: string): Parsed<boolean> => {
    const value = booleanWords[text.trim().toLowerCase()];
    return value === undefined
      ? {
          problem: `MSX_INSECURE_TLS must be true or false (also 1/0, yes/no), got ${JSON.stringify(text)}.`,
        }
      : { value };
  },
  MSX_TIMEOUT_MS: wholeNumber(
    (value) => value >= 1 && value <= 3_600_000,
    (text) =>
      `MSX_TIMEOUT_MS must be a whole number of milliseconds between 1 and 3600000, got ${JSON.stringify(text)}.`,
  ),
  MSX_RETRIES: wholeNumber(
    (value) => value <= 10,
    (text) =>
      `MSX_RETRIES must be a whole number from 0 (never retry) to 10 (default 2), got ${JSON.stringify(text)}.`,
  ),
  MSX_MAX_RESPONSE_BYTES: wholeNumber(
    (value) => value >= 1024 && Number.isSafeInteger(value),
    (text) =>
      `MSX_MAX_RESPONSE_BYTES must be a whole number of bytes, at least 1024 (default 16777216, 16 MiB), got ${JSON.stringify(text)}.`,
  ),
} satisfies Partial<Record<ConfigVariable, (text: string) => Parsed<unknown>>>;

type ParsedValues = {
  -readonly [Name in keyof typeof parsers]?: ReturnType<(typeof parsers)[Name]> extends Parsed<
    infer T
  >
    ? T
    : never;
};

/** Every set variable read by its parser; each bad one adds its problem, in the table's order. */
export function parseVariables(
  input: Readonly<Record<string, string>>,
  problems: string[],
): ParsedValues {
  const values: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(parsers) as [
    string,
    (text: string) => Parsed<unknown>,
  ][]) {
    const text = input[name];
    if (text === undefined) continue;
    const parsed = parse(text);
    if ("problem" in parsed) problems.push(parsed.problem);
    else values[name] = parsed.value;
  }
  return values as ParsedValues;
}

/** True when any variable that names a platform or its credentials is set (empty counts as unset). */
export function hasPlatformConfig(env: Environment): boolean {
  return platformVariables.some((name) => nonEmpty(env[name]) !== undefined);
}

/**
 * Validates the MSX_* variables and returns the platform's configuration. Every missing or bad
 * variable is reported at once, each with how to fix it, in a {@link ConfigError}'s `problems`.
 * Empty values count as unset, as in a copied `.env.example`. Secret values are never echoed.
 */
export function loadPlatformConfig(
  env: Environment,
  requirements: ConfigRequirements = {},
): PlatformConfig {
  const input = setVariables(env);
  const problems: string[] = [];
  const values = parseVariables(input, problems);
  const need = {
    baseUrl: true,
    clientId: true,
    username: true,
    password: true,
    clientSecret: true,
    ...requirements,
  };
  // A key file with no method named means private_key_jwt: the key has no other use.
  const clientAuth =
    input.MSX_CLIENT_AUTH === undefined && input.MSX_CLIENT_KEY_FILE !== undefined
      ? "private_key_jwt"
      : (values.MSX_CLIENT_AUTH ?? input.MSX_CLIENT_AUTH ?? CLIENT_AUTH_METHODS[0]);

  const missing = (name: ConfigVariable, why: string) => {
    if (input[name] === undefined) problems.push(`${name} is not set: ${why}. ${hint(name)}`);
  };
  if (!need.baseUrl) {
    // Only the token endpoint is called; it defaults from the base URL.
    if (input.MSX_TOKEN_URL === undefined && input.MSX_ISSUER === undefined) {
      missing(
        "MSX_BASE_URL",
        `the token endpoint defaults to $MSX_BASE_URL${DEFAULT_TOKEN_PATH} (or set MSX_TOKEN_URL to the token endpoint itself, e.g. ${configVariables.MSX_TOKEN_URL.example})`,
      );
    }
  } else if (input.MSX_TOKEN_URL === undefined && input.MSX_ISSUER === undefined) {
    missing("MSX_BASE_URL", "passgrant needs the platform's root URL");
  } else if (input.MSX_BASE_URL === undefined) {
    missing(
      "MSX_BASE_URL",
      "the API calls need the platform's root URL (MSX_TOKEN_URL or MSX_ISSUER names only the sign-in server)",
    );
  }
  if (need.clientId) missing("MSX_CLIENT_ID", "the token endpoint needs the security client's id");
  // An invalid MSX_CLIENT_AUTH is reported on its own; the secret is still asked for.
  const secretSent = !isClientAuthMethod(clientAuth) || sendsSecret(clientAuth);
  if (need.clientSecret && secretSent) {
    missing(
      "MSX_CLIENT_SECRET",
      "the security client authenticates with its secret (MSX_CLIENT_AUTH=none for a public client)",
    );
  }
  if (isClientAuthMethod(clientAuth)) {
    credentialFileProblems(clientAuth, input, problems);
  }
  if (need.username) missing("MSX_USERNAME", "the password grant needs a user");
  if (need.password) missing("MSX_PASSWORD", PASSWORD_NEEDED);

  if (problems.length > 0) throw new ConfigError(problems);

  const baseUrl = values.MSX_BASE_URL;
  return dropUndefined({
    baseUrl,
    // The issuer's metadata names the token endpoint; the platform's default path is a guess.
    tokenUrl:
      values.MSX_TOKEN_URL ??
      (values.MSX_ISSUER === undefined ? `${baseUrl as string}${DEFAULT_TOKEN_PATH}` : undefined),
    issuer: values.MSX_ISSUER,
    clientId: values.MSX_CLIENT_ID ?? "",
    clientSecret: values.MSX_CLIENT_SECRET,
    clientAuth: clientAuth as ClientAuthMethod,
    clientAssertionKeyFile: values.MSX_CLIENT_KEY_FILE,
    username: values.MSX_USERNAME,
    password: values.MSX_PASSWORD,
    scope: values.MSX_SCOPE,
    ...transportOptionsOf(values),
  });
}

/** The transport's options (trust, client certificate, timeout, retries, size bound) from parsed variables. */
export function transportOptionsOf(values: ParsedValues) {
  return {
    caFile: values.MSX_CA_FILE,
    clientCertFile: values.MSX_CLIENT_CERT_FILE,
    clientCertKeyFile: values.MSX_CLIENT_CERT_KEY_FILE,
    insecureTls: values.MSX_INSECURE_TLS ?? false,
    timeoutMs: values.MSX_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS,
    retries: values.MSX_RETRIES,
    maxResponseBytes: values.MSX_MAX_RESPONSE_BYTES,
  };
}

/** The key and certificate files a client authentication method needs, or cannot use. */
function credentialFileProblems(
  clientAuth: ClientAuthMethod,
  input: Readonly<Record<string, string>>,
  problems: string[],
): void {
  if (signsAssertion(clientAuth) && input.MSX_CLIENT_KEY_FILE === undefined) {
    problems.push(
      `MSX_CLIENT_KEY_FILE is not set: MSX_CLIENT_AUTH=${clientAuth} signs with the client's private key (the server has its public key). ${hint("MSX_CLIENT_KEY_FILE")}`,
    );
  }
  if (!signsAssertion(clientAuth) && input.MSX_CLIENT_KEY_FILE !== undefined) {
    problems.push(
      `MSX_CLIENT_KEY_FILE is set but MSX_CLIENT_AUTH=${clientAuth} does not use it: set MSX_CLIENT_AUTH=private_key_jwt, or unset MSX_CLIENT_KEY_FILE (a TLS client certificate's key is MSX_CLIENT_CERT_KEY_FILE).`,
    );
  }
  if (usesClientCertificate(clientAuth) && input.MSX_CLIENT_CERT_FILE === undefined) {
    problems.push(
      `MSX_CLIENT_CERT_FILE is not set: MSX_CLIENT_AUTH=${clientAuth} authenticates with a TLS client certificate (RFC 8705). ${hint("MSX_CLIENT_CERT_FILE")}`,
    );
  }
  if (input.MSX_CLIENT_CERT_KEY_FILE !== undefined && input.MSX_CLIENT_CERT_FILE === undefined) {
    problems.push(
      `MSX_CLIENT_CERT_KEY_FILE is set without MSX_CLIENT_CERT_FILE: set the certificate too. ${hint("MSX_CLIENT_CERT_FILE")}`,
    );
  }
}

/**
 * What is wrong with each MSX_* value that is set, nothing being required: for settings checked
 * before they are used (`passgrant profile add` stores none that would fail later).
 */
export function variableProblems(env: Environment): string[] {
  const problems: string[] = [];
  parseVariables(setVariables(env), problems);
  return problems;
}

/** The MSX_* variables that are set (empty counts as unset). */
export function setVariables(env: Environment): Record<string, string> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(configVariables)) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) input[name] = value;
  }
  return input;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** exactOptionalPropertyTypes-friendly: optional fields are absent rather than `undefined`. */
