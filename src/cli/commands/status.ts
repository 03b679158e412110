import { accountKey, type CachedAccount } from "../../cache/accounts.js";
import { loadPlatformConfig, type PlatformConfig } from "../../config/index.js";
import {
  attributeToProfile,
  loadProfiles,
  type ProfiledEnvironment,
  type SelectedProfile,
} from "../../config/profiles.js";
import { ConfigError } from "../../errors.js";
import { inCliWords } from "../advice.js";
import { parseCommandArgs } from "../args.js";
import { cachedIdentity, cachePathFor, openFileCache } from "../cache-option.js";
import { statusOptions } from "../command-options.js";
import { type Command, type CommandContext, withProfile } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { commandEnvironment, loadCommandEnvironment } from "../platform.js";
import {
  mapBounded,
  type ProbeResult,
  type ProbeTarget,
  probePlatform,
  STATUS_PROBE_CONCURRENCY,
  STATUS_PROBE_TIMEOUT_MS,
} from "../status-probe.js";
import {
  type ConfigurationStatus,
  type StatusReport,
  statusExitCode,
  statusJson,
  statusText,
} from "../status-report.js";
import { terminalSafeJson } from "../terminal-text.js";

const help = `Usage: passgrant status [--json] [--cache-file PATH] [--profile NAME] [options]

Shows, for each profile of the config file (or, without profiles, the configuration the MSX_*
variables and .env give), who is signed in (the user, or the client for client credentials), with
which grant, when the cached token expires (relative and absolute; expired, or renewable with its
refresh token), and whether the platform answers. Cached tokens that no configuration names are
listed too. With --profile NAME, only that profile.

Never prints a token or a secret, and sends none: the platform check is one unauthenticated GET
of the base URL (else the issuer or token URL) per platform, redirects not followed, at most
${STATUS_PROBE_TIMEOUT_MS / 1000} s, ${STATUS_PROBE_CONCURRENCY} platforms at a time. Any HTTP status counts as an answer.
(\`passgrant token --cache --introspect\` asks the server about the token itself.)

Options:
  --json                 print one JSON object (configurations, their accounts and platform)
  --cache-file PATH      the token cache to read (default: the one \`passgrant token --cache\` uses)
  --profile NAME         only the config file's profile NAME
  -v, --verbose          log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE          read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  -h, --help             show this help

Exit codes: 0 every configuration signed in and its platform answers; 2 bad usage, or a
configuration is incomplete or invalid; 5 a configured platform does not answer; 3 a
configuration has no valid or refreshable cached token (checked in that order); 6 the token
cache cannot be read.`;

/** The grants whose tokens the cache keys by identity (as `passgrant token --cache` stores them). */
const CACHED_GRANT_TYPES = [
  "password",
  "client_credentials",
  "device_code",
  "authorization_code",
] as const;

export const statusCommand: Command = {
  name: "status",
  async run(args, context) {
    const { values } = parseCommandArgs("status", args, statusOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const log = createLogger(context, values.verbose === true);
    const cacheFile = cachePathFor(values, commandEnvironment(context, values));
    const accounts = await openFileCache(cacheFile, log).accounts();
    const configured = await configurations(context, values);

    const claimed = new Set<string>();
    const statuses = configured.map(({ profile, inUse, environment }) => {
      const status: ConfigurationStatus & { config?: PlatformConfig } = {
        profile: profile?.name,
        inUse,
        accounts: [],
      };
      try {
        status.config = loadPlatformConfig(environment.env, {
          baseUrl: false,
          username: false,
          password: false,
          clientSecret: false,
        });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        const problems = error.problems.map((p) => attributeToProfile(p, environment));
        status.problem = { code: error.code, message: problems.join(" ") };
        return status;
      }
      const keys = CACHED_GRANT_TYPES.map((grant) =>
        accountKey(cachedIdentity(status.config as PlatformConfig, grant)),
      );
      // Its own entries, and those switch grants derived from them (`<key>><target>`).
      status.accounts = accounts.filter((account) =>
        keys.some((key) => account.key === key || account.key.startsWith(`${key}>`)),
      );
      for (const account of status.accounts) claimed.add(account.key);
      status.signInCommand = signInCommand(profile?.name, status.config);
      return status;
    });
    const others = accounts.filter((account) => !claimed.has(account.key));

    const probes = await probeAll(statuses, others, log);
    for (const status of statuses) {
      const url = status.config && probeUrl(status.config);
      const platform = url === undefined ? undefined : probes.get(url);
      if (platform) status.platform = platform;
      delete status.config;
    }
    const report: StatusReport = {
      cacheFile,
      configurations: statuses,
      otherAccounts: others.map((account) => {
        const url = account.identity?.tokenUrl ?? account.identity?.issuer;
        const platform = url === undefined ? undefined : probes.get(url);
        return platform ? { account, platform } : { account };
      }),
    };
    const now = Date.now();
    context.stdout.write(
      values.json ? `${terminalSafeJson(statusJson(report, now))}\n` : statusText(report, now),
    );
    return statusExitCode(report, now);
  },
};

interface Configuration {
  profile: SelectedProfile | undefined;
  inUse: boolean;
  environment: ProfiledEnvironment;
}

/**
 * The configurations to report on: each profile of the config file (only --profile's when given),
 * each as a run with `--profile NAME` sees it (the MSX_* variables and .env over the profile); and
 * the environment's own configuration when there are no profiles, or no profile is in use.
 */
async function configurations(
  context: CommandContext,
  values: { dotenv?: string | undefined; "env-file"?: string | undefined; profile?: string },
): Promise<Configuration[]> {
  const inUse = context.profile?.();
  const file = await loadProfiles(context.env);
  const names = values.profile !== undefined ? [values.profile] : [...file.profiles.keys()];
  const environmentOf = (profile: SelectedProfile | undefined) =>
    loadCommandEnvironment(
      withProfile(context, () => profile),
      values,
      "status",
    );
  const found: Configuration[] = names.map((name) => {
    const profile: SelectedProfile =
      inUse?.name === name
        ? inUse
        : {
            name,
            selectedBy: "--profile",
            path: file.path,
            options: file.profiles.get(name) ?? {},
          };
    return { profile, inUse: inUse?.name === name, environment: environmentOf(profile) };
  });
  if (values.profile === undefined && (file.profiles.size === 0 || inUse === undefined)) {
    const environment = environmentOf(undefined);
    const namesPlatform = ["MSX_BASE_URL", "MSX_TOKEN_URL", "MSX_ISSUER"].some(
      (name) => (environment.env[name]?.trim() ?? "") !== "",
    );
    // Beside profiles, the environment counts only when it names a platform of its own.
    if (file.profiles.size === 0 || namesPlatform) {
      found.push({ profile: undefined, inUse: inUse === undefined, environment });
    }
  }
  return found;
}

/** What a configuration's platform check asks: the API root, else the sign-in server. */
function probeUrl(config: PlatformConfig): string | undefined {
  return config.baseUrl ?? config.issuer ?? config.tokenUrl;
}

/** One request per distinct URL, a few at a time; configured ones with their TLS settings. */
async function probeAll(
  statuses: ReadonlyArray<{ config?: PlatformConfig }>,
  others: readonly CachedAccount[],
  log: Logger,
): Promise<Map<string, ProbeResult>> {
  const targets = new Map<string, ProbeTarget>();
  for (const { config } of statuses) {
    const url = config && probeUrl(config);
    if (config && url !== undefined && !targets.has(url)) targets.set(url, { url, config });
  }
  for (const account of others) {
    const url = account.identity?.tokenUrl ?? account.identity?.issuer;
    if (url !== undefined && !targets.has(url)) targets.set(url, { url });
  }
  const list = [...targets.values()];
  const results = await mapBounded(list, STATUS_PROBE_CONCURRENCY, async (target) => {
    const started = performance.now();
    const result = await probePlatform(target, (message) => log.info(inCliWords(message)));
    log.debug(
      `GET ${result.url} -> ${result.answers ? result.status : result.error.code} (${Math.round(performance.now() - started)} ms)`,
    );
    return result;
  });
  return new Map(list.map((target, index) => [target.url, results[index] as ProbeResult]));
}

/** How to sign in with a configuration: its password grant when it names a user. */
function signInCommand(profile: string | undefined, config: PlatformConfig): string {
  const selection = profile === undefined ? "" : ` --profile ${profile}`;
  const grant = config.username === undefined ? " --grant client-credentials" : "";
  return `passgrant${selection} token --cache${grant}`;
}
