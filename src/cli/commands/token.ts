import { TokenResponseError } from "../../auth/token-response-error.js";
import type { TokenExchangeGrant, TokenProvider, TokenSet } from "../../auth/types.js";
import { abortable } from "../abortable.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { browserSignInGrant } from "../browser-sign-in.js";
import { cacheFor } from "../cache-option.js";
import { grants, tokenOptions } from "../command-options.js";
import type { Command, CommandContext } from "../context.js";
import { deviceCodeGrant } from "../device-code-prompt.js";
import { ExitCode } from "../exit-codes.js";
import { type GrantChoice, grantChoice } from "../grant-choice.js";
import { createLogger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { openSession } from "../session.js";
import { checkSubjectTokenOption, readSubjectToken } from "../subject-token.js";
import { terminalSafeJson } from "../terminal-text.js";
import { formatToken, tokenFormat } from "../token-output.js";

const help = `Usage: passgrant token [--grant GRANT] [options]

Prints the access token, and nothing else, on stdout:  TOKEN=$(passgrant token)

Secrets come from MSX_PASSWORD and MSX_CLIENT_SECRET (environment or .env), from standard input
with --password-stdin, or from a no-echo prompt on a terminal; never from the command line. The
subject token of --grant token-exchange comes from standard input, a file or MSX_SUBJECT_TOKEN.

Grants (--grant):
  password            the password grant with MSX_USERNAME (default; RFC 6749 §4.3)
  client-credentials  the client's own token, no user (RFC 6749 §4.4)
  device-code         sign in on another device, e.g. with MFA (RFC 8628): prints where to go and
                      the code on stderr, then waits; Ctrl-C cancels
  authorization-code  sign in with the browser on this machine (PKCE on a loopback redirect,
                      RFC 8252), as \`passgrant login --web\` does; with --cache, reuses its token
  refresh             get a token, then renew it with its refresh token (RFC 6749 §6)
  switch-tenant       the user's token for another tenant: --tenant-id ID or --tenant-name NAME
  switch-user         a token acting as another user: --switch-username NAME
  token-exchange      trade a subject token for one meant for another audience (RFC 8693 §2):
                      no user or password; the subject token from --subject-token - or @FILE,
                      else MSX_SUBJECT_TOKEN. No --cache: the token is its subject's, so the
                      exchange runs each time
  (The OAuth spellings with underscores, such as client_credentials, are accepted too.)

Options:
  --json                 print the whole normalised token response as JSON (= --format json)
  --format FORMAT        token (default), json, header (Authorization: Bearer ...), or
                         exec-credential (kubectl's client.authentication.k8s.io/v1 ExecCredential)
  --introspect           print what the server says about the token (RFC 7662) as JSON
                         (needs MSX_ISSUER, whose metadata names the introspection endpoint)
  --password-stdin       read the password from standard input
  --no-browser           with --grant authorization-code: print the URL, start no browser
  --subject-token -|@FILE
                         with --grant token-exchange: read the subject token from standard
                         input (-) or FILE (@FILE); without it, from MSX_SUBJECT_TOKEN. A token
                         written here is refused: argv is visible to other users (ps, /proc)
  --subject-token-type URI
                         its type (RFC 8693 §3; default
                         urn:ietf:params:oauth:token-type:access_token)
  --audience NAME        the service the new token is for (RFC 8693 §2.1)
  --resource URI         the service's URI (RFC 8693 §2.1, RFC 8707)
  --requested-token-type URI
                         the type of token wanted (RFC 8693 §2.1; default: the server's choice)
  --cache                reuse a valid token from the on-disk cache (and save new ones there)
  --cache-file PATH      the cache file (default $XDG_CACHE_HOME/passgrant/tokens.json,
                         else ~/.cache/passgrant/tokens.json; mode 0600)
  -v, --verbose          log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE          read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  --profile NAME         use the config file's profile NAME (or set PASSGRANT_PROFILE)
  -h, --help             show this help

Exit codes: 0 done, 2 usage/configuration, 3 token refused (e.g. invalid_grant, such as a
subject token the server does not accept), 5 network/TLS/
timeout, 6 token cache unusable, 130/143 interrupted, 1 unexpected.`;

export const tokenCommand: Command = {
  name: "token",
  async run(args, context) {
    const { values } = parseCommandArgs("token", args, tokenOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    // First: a token written on the command line is refused before anything else is checked.
    checkSubjectTokenOption(values["subject-token"]);
    const grant = grantChoice(values.grant ?? "password");
    if (grant === undefined) {
      throw new UsageError(
        `--grant must be one of ${grants.join(", ")}, got ${JSON.stringify(values.grant)}.`,
        "token",
      );
    }
    checkGrantOptions(grant, values);
    const format = tokenFormat(values.format, values.json === true);

    const log = createLogger(context, values.verbose === true);
    if (values["no-browser"] && grant !== "authorization-code") {
      throw new UsageError("--no-browser only applies with --grant authorization-code.", "token");
    }
    const needsUser =
      grant !== "client-credentials" &&
      grant !== "device-code" &&
      grant !== "authorization-code" &&
      grant !== "token-exchange";
    // Read before the configuration: a missing or unreadable subject token is a usage error
    // whatever else is wrong, and standard input is read once, here.
    const env = commandEnvironment(context, values);
    const exchange =
      grant === "token-exchange" ? await exchangeGrant(values, context, env) : undefined;
    if (exchange !== undefined) log.addSecret(exchange.subjectToken);
    const config = await resolvePlatform(context, log, {
      command: "token",
      dotenv: values,
      needsUser,
      // No API call: only the token endpoint is needed (MSX_TOKEN_URL, or MSX_BASE_URL under it).
      needsBaseUrl: false,
      passwordStdin: values["password-stdin"],
    });
    const baseGrant =
      grant === "device-code"
        ? "device_code"
        : grant === "authorization-code"
          ? "authorization_code"
          : needsUser
            ? "password"
            : "client_credentials";
    const cache = cacheFor("token", values, env, config, baseGrant, log, context.profile?.()?.name);
    const session = openSession(config, log, {
      ...(exchange !== undefined
        ? { grant: exchange }
        : grant === "device-code"
          ? { grant: deviceCodeGrant(context) }
          : grant === "authorization-code"
            ? {
                grant: browserSignInGrant(context, env, {
                  openBrowser: values["no-browser"] !== true,
                }),
              }
            : needsUser
              ? {}
              : { grant: { type: "client_credentials" } }),
      ...cache,
    });
    try {
      const token = await abortable(obtain(session.provider, grant, values), context.signal);
      log.addSecret(token.accessToken);
      log.addSecret(token.refreshToken);
      if (values.introspect) {
        const answer = await abortable(
          session.provider.introspect(token.accessToken),
          context.signal,
        );
        // Server text: made safe for a terminal, never printed raw.
        context.stdout.write(`${terminalSafeJson(answer)}\n`);
        return ExitCode.ok;
      }
      context.stdout.write(formatToken(token, format));
      return ExitCode.ok;
    } finally {
      await session.close().catch(() => {});
    }
  },
};

interface GrantValues {
  "tenant-id"?: string | undefined;
  "tenant-name"?: string | undefined;
  "switch-username"?: string | undefined;
  "subject-token"?: string | undefined;
  "subject-token-type"?: string | undefined;
  audience?: string | undefined;
  resource?: string | undefined;
  "requested-token-type"?: string | undefined;
  cache?: boolean | undefined;
}

/** The options of --grant token-exchange, each the RFC 8693 §2.1 parameter of the same name. */
const exchangeOptions = [
  "subject-token",
  "subject-token-type",
  "audience",
  "resource",
  "requested-token-type",
] as const;

/** RFC 8693 §3: a token type is a URI (`urn:ietf:params:oauth:token-type:...` or another). */
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** RFC 8693 §2.1's subject token type when none is given: the caller's OAuth access token. */
export const DEFAULT_SUBJECT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The RFC 8693 grant from the command line, with the subject token read as {@link readSubjectToken} says. */
async function exchangeGrant(
  values: GrantValues,
  context: CommandContext,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TokenExchangeGrant> {
  const subjectToken = await readSubjectToken(values["subject-token"], context, env);
  return {
    type: "token_exchange",
    subjectToken,
    subjectTokenType: values["subject-token-type"] ?? DEFAULT_SUBJECT_TOKEN_TYPE,
    ...(values.audience !== undefined ? { audience: values.audience } : {}),
    ...(values.resource !== undefined ? { resource: values.resource } : {}),
    ...(values["requested-token-type"] !== undefined
      ? { requestedTokenType: values["requested-token-type"] }
      : {}),
  };
}

/** Usage errors of --grant token-exchange's options, found before anything is read or sent. */
function checkExchangeOptions(grant: GrantChoice, values: GrantValues): void {
  if (grant !== "token-exchange") {
    const given = exchangeOptions.filter((name) => values[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `${given.map((name) => `--${name}`).join(", ")} only ${given.length === 1 ? "applies" : "apply"} with --grant token-exchange.`,
        "token",
      );
    }
    return;
  }
  if (values.cache) {
    // An exchanged token stands for its subject token, which the cache's key (token URL, client,
    // user, grant, scope) does not include: a cached one would answer for another subject.
    throw new UsageError(
      "--cache does not apply with --grant token-exchange: the exchanged token belongs to its subject token, so the exchange runs each time.",
      "token",
    );
  }
  for (const name of ["subject-token-type", "requested-token-type"] as const) {
    const value = values[name];
    if (value !== undefined && !URI_SCHEME.test(value)) {
      throw new UsageError(
        `--${name} must be a token type URI (RFC 8693 §3), such as ${DEFAULT_SUBJECT_TOKEN_TYPE}, got ${JSON.stringify(value)}.`,
        "token",
      );
    }
  }
  if (values.audience === "") {
    throw new UsageError("--audience needs the target service's name.", "token");
  }
  if (values.resource !== undefined && !isAbsoluteUriWithoutFragment(values.resource)) {
    throw new UsageError(
      `--resource must be an absolute URI without a fragment (RFC 8693 §2.1, RFC 8707 §2), such as https://api.example.com/orders, got ${JSON.stringify(values.resource)}.`,
      "token",
    );
  }
}

function isAbsoluteUriWithoutFragment(text: string): boolean {
  if (!URI_SCHEME.test(text) || text.includes("#")) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function checkGrantOptions(grant: GrantChoice, values: GrantValues): void {
  const tenantGiven = values["tenant-id"] !== undefined || values["tenant-name"] !== undefined;
  if (grant === "switch-tenant") {
    if ((values["tenant-id"] === undefined) === (values["tenant-name"] === undefined)) {
      throw new UsageError(
        "--grant switch-tenant needs exactly one of --tenant-id or --tenant-name.",
        "token",
      );
    }
  } else if (tenantGiven) {
    throw new UsageError(
      "--tenant-id and --tenant-name only apply with --grant switch-tenant.",
      "token",
    );
  }
  if (grant === "switch-user" && !values["switch-username"]) {
    throw new UsageError("--grant switch-user needs --switch-username NAME.", "token");
  }
  if (grant !== "switch-user" && values["switch-username"] !== undefined) {
    throw new UsageError("--switch-username only applies with --grant switch-user.", "token");
  }
  checkExchangeOptions(grant, values);
}

async function obtain(
  provider: TokenProvider,
  grant: GrantChoice,
  values: GrantValues,
): Promise<TokenSet> {
  switch (grant) {
    case "password":
    case "client-credentials":
    case "device-code":
    case "authorization-code":
    case "token-exchange":
      return provider.getToken();
    case "refresh": {
      // Forget the access token but keep the refresh token: the next getToken() renews with it.
      const current = await provider.getToken();
      if (current.refreshToken === undefined) {
        throw new TokenResponseError({
          problem:
            "the token endpoint issued no refresh_token, so there is nothing to refresh with",
          hint: "Check that the security client has the refresh_token grant.",
        });
      }
      provider.invalidate(current.accessToken);
      return provider.getToken();
    }
    case "switch-tenant": {
      const target = values["tenant-id"]
        ? { tenantId: values["tenant-id"] }
        : { tenantName: values["tenant-name"] ?? "" };
      return (await provider.switchTenant(target)).getToken();
    }
    case "switch-user":
      return (await provider.switchUser(values["switch-username"] ?? "")).getToken();
  }
}
