import type { AccountIdentity, CachedAccount } from "../cache/accounts.js";
import { ExitCode } from "./exit-codes.js";
import type { ProbeResult } from "./status-probe.js";
import { terminalSafe } from "./terminal-text.js";
import { rfc3339 } from "./token-output.js";

/** What `passgrant status` says of a cached token's lifetime. */
export type TokenState =
  /** Not expired yet. */
  | "valid"
  /** Expired (or no expiry recorded), but a refresh token is held: the next run renews it. */
  | "refreshable"
  /** Expired with no refresh token: signing in again is the only way. */
  | "expired";

/** One configuration `passgrant status` reports on: a profile, or the environment's own. */
export interface ConfigurationStatus {
  /** The profile's name; undefined for the configuration the environment and `.env` give. */
  profile: string | undefined;
  /** The configuration a plain run (no --profile) uses. */
  inUse: boolean;
  /** The configuration is incomplete or invalid: why (already in the CLI's words). */
  problem?: { code: string; message: string };
  /** The platform's answer to the one request, when there was a URL to ask. */
  platform?: ProbeResult;
  /** Its cached tokens (found by the identity the configuration names). */
  accounts: CachedAccount[];
  /** How to sign in with this configuration, for the advice line. */
  signInCommand?: string;
}

export interface StatusReport {
  cacheFile: string;
  configurations: ConfigurationStatus[];
  /** Cached tokens no configuration names, with their own platform's answer. */
  otherAccounts: Array<{ account: CachedAccount; platform?: ProbeResult }>;
}

export function tokenState(account: CachedAccount, now: number): TokenState {
  if (account.expiresAt !== undefined && now < account.expiresAt) return "valid";
  return account.hasRefreshToken ? "refreshable" : "expired";
}

/** A configuration is signed in when one of its tokens is valid or can be renewed. */
export function isSignedIn(configuration: ConfigurationStatus, now: number): boolean {
  return configuration.accounts.some((account) => tokenState(account, now) !== "expired");
}

/**
 * The exit code: 2 when a configuration is invalid, else 5 when a configured platform does not
 * answer, else 3 when a configuration has no valid or refreshable token, else 0. Cached tokens
 * that no configuration names are shown but never change it.
 */
export function statusExitCode(report: StatusReport, now: number): number {
  const configurations = report.configurations;
  if (configurations.some((c) => c.problem !== undefined)) return ExitCode.usage;
  if (configurations.some((c) => c.platform !== undefined && !c.platform.answers)) {
    return ExitCode.network;
  }
  if (configurations.some((c) => !isSignedIn(c, now))) return ExitCode.auth;
  return ExitCode.ok;
}

/** The report as JSON for scripts: times in RFC 3339 and seconds left, never a token. */
export function statusJson(report: StatusReport, now: number): Record<string, unknown> {
  return {
    ok: statusExitCode(report, now) === ExitCode.ok,
    cacheFile: report.cacheFile,
    configurations: report.configurations.map((c) => ({
      profile: c.profile ?? null,
      inUse: c.inUse,
      signedIn: c.problem === undefined && isSignedIn(c, now),
      ...(c.problem ? { problem: c.problem } : {}),
      platform: c.platform ?? null,
      accounts: c.accounts.map((account) => accountJson(account, now)),
    })),
    otherAccounts: report.otherAccounts.map(({ account, platform }) => ({
      ...accountJson(account, now),
      platform: platform ?? null,
    })),
  };
}

function accountJson(account: CachedAccount, now: number): Record<string, unknown> {
  return {
    key: account.key,
    identity: account.identity ?? null,
    state: tokenState(account, now),
    expiresAt: account.expiresAt === undefined ? null : rfc3339(account.expiresAt),
    // Whole seconds left, negative once expired (RFC 6749 §5.1's expires_in, seen from now).
    expiresIn:
      account.expiresAt === undefined ? null : Math.floor((account.expiresAt - now) / 1000),
    hasRefreshToken: account.hasRefreshToken,
    lastUsedAt: account.lastUsedAt === undefined ? null : rfc3339(account.lastUsedAt),
  };
}

/**
 * The report for people, one block per configuration. Everything that came from a file or a
 * server (names, URLs, messages) goes through {@link terminalSafe}.
 */
export function statusText(report: StatusReport, now: number): string {
  const lines: string[] = [];
  if (report.configurations.length === 0 && report.otherAccounts.length === 0) {
    lines.push(
      "No platform is configured and no token is cached.",
      "  Set MSX_BASE_URL and MSX_CLIENT_ID (or add a profile: passgrant profile add), then",
      "  sign in with passgrant token --cache.",
    );
  }
  for (const configuration of report.configurations) {
    const name =
      configuration.profile === undefined
        ? "environment (MSX_* variables and .env)"
        : `profile ${configuration.profile}`;
    lines.push(`${safe(name)}${configuration.inUse ? " (in use)" : ""}`);
    if (configuration.problem) {
      lines.push(`  configuration problem: ${safe(configuration.problem.message)}`);
      continue;
    }
    if (configuration.platform) lines.push(`  platform: ${platformLine(configuration.platform)}`);
    for (const account of configuration.accounts) lines.push(...accountLines(account, now));
    if (!isSignedIn(configuration, now)) {
      const how = configuration.signInCommand ? `: ${configuration.signInCommand}` : "";
      lines.push(`  not signed in (no valid or refreshable cached token)${safe(how)}`);
    }
  }
  if (report.otherAccounts.length > 0) {
    lines.push("other cached tokens (no configuration names them)");
    for (const { account, platform } of report.otherAccounts) {
      lines.push(...accountLines(account, now));
      if (platform) lines.push(`    platform: ${platformLine(platform)}`);
    }
  }
  lines.push(`token cache: ${safe(report.cacheFile)}`);
  return `${lines.join("\n")}\n`;
}

function platformLine(probe: ProbeResult): string {
  return probe.answers
    ? `${safe(probe.url)} answers (HTTP ${probe.status})`
    : `${safe(probe.url)} does not answer: ${safe(probe.error.message)}`;
}

function accountLines(account: CachedAccount, now: number): string[] {
  const state = tokenState(account, now);
  const expiry =
    account.expiresAt === undefined
      ? "no expiry recorded (treated as expired)"
      : now < account.expiresAt
        ? `expires in ${duration(account.expiresAt - now)} (${rfc3339(account.expiresAt)})`
        : `expired ${duration(now - account.expiresAt)} ago (${rfc3339(account.expiresAt)})`;
  const refresh =
    state === "expired"
      ? "no refresh token: sign in again"
      : account.hasRefreshToken
        ? "refresh token held"
        : "no refresh token";
  return [
    `  signed in: ${safe(who(account.identity))}`,
    `    token ${state}: ${expiry}; ${refresh}`,
  ];
}

/** Who a token belongs to, in a few words: the user (or the client), the grant, where. */
function who(identity: AccountIdentity | undefined): string {
  if (!identity) return "unknown identity (cached by an earlier passgrant)";
  const auth = identity.clientAuth ? `, client auth ${identity.clientAuth}` : "";
  const subject =
    identity.username !== undefined
      ? `${identity.username} (client ${identity.clientId}${auth})`
      : `client ${identity.clientId}${auth ? ` (${auth.slice(2)})` : ""}`;
  const grant = identity.grant.replace(/_/g, " ");
  const where = identity.tokenUrl ?? `issuer ${identity.issuer}`;
  const switched = identity.switchedTo ? `, switched to ${identity.switchedTo}` : "";
  const profile = identity.profile ? `, profile ${identity.profile}` : "";
  const scope = identity.scope ? `, scope ${identity.scope}` : "";
  return `${subject} with the ${grant} grant${switched} at ${where}${scope}${profile}`;
}

/** "2 h 29 min", "4 min 5 s", "12 s": the largest unit and the next one. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const units: ReadonlyArray<readonly [string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  const index = units.findIndex(([, size]) => seconds >= size);
  const major = units[index];
  if (major === undefined) return "0 s";
  const next = units[index + 1];
  const minor = next ? Math.floor((seconds % major[1]) / next[1]) : 0;
  const head = `${Math.floor(seconds / major[1])} ${major[0]}`;
  return next && minor > 0 ? `${head} ${minor} ${next[0]}` : head;
}

const safe = (text: string) => terminalSafe(text);
