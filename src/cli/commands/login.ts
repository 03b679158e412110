import type { TokenSet, TokenStore } from "../../auth/types.js";
import { abortable } from "../abortable.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { browserSignInGrant } from "../browser-sign-in.js";
import { cacheFor } from "../cache-option.js";
import { loginOptions } from "../command-options.js";
import type { Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { openSession } from "../session.js";
import { terminalSafe } from "../terminal-text.js";
import { rfc3339 } from "../token-output.js";

const help = `Usage: passgrant login --web [--no-browser] [--cache-file PATH] [options]

Signs in with the browser, MFA included: the authorization code grant with PKCE on a loopback
redirect (RFC 6749 §4.1, RFC 7636, RFC 8252). passgrant listens on http://127.0.0.1:PORT/callback
(a free port), opens the authorization page of MSX_ISSUER (its metadata names it) in the system
browser ($BROWSER when set), and waits up to 5 minutes for the browser to come back. The tokens go
into the token cache, where \`passgrant token --grant authorization-code --cache\` (and logout,
credential-helper) find them and renew them by refresh token. Nothing is printed on stdout.

Register the redirect URI http://127.0.0.1/callback (any port) for the client on the server;
a public client sets MSX_CLIENT_AUTH=none.

Options:
  --web                  sign in with the browser (required)
  --no-browser           do not start a browser; print the URL to open. The browser must run on
                         this machine: it comes back to 127.0.0.1
  --cache-file PATH      the cache file (default $XDG_CACHE_HOME/passgrant/tokens.json,
                         else ~/.cache/passgrant/tokens.json; mode 0600)
  -v, --verbose          log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE          read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  -h, --help             show this help

Exit codes: 0 signed in, 2 usage/configuration, 3 refused (access_denied in the browser, a
state that does not match, no answer in time, a code the token endpoint refuses), 5 network/TLS,
6 token cache unusable, 130 Ctrl-C, 1 unexpected.`;

export const loginCommand: Command = {
  name: "login",
  async run(args, context) {
    const { values } = parseCommandArgs("login", args, loginOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    if (!values.web) {
      throw new UsageError(
        "passgrant login signs in with the browser: add --web. Without a browser on this machine, use `passgrant token --grant device-code --cache`.",
        "login",
      );
    }
    const log = createLogger(context, values.verbose === true);
    const config = await resolvePlatform(context, log, {
      command: "login",
      dotenv: values,
      needsUser: false,
      needsBaseUrl: false,
    });
    const env = commandEnvironment(context, values);
    const cache = cacheFor(
      "login",
      { cache: true, "cache-file": values["cache-file"] },
      env,
      config,
      "authorization_code",
      log,
      context.profile?.()?.name,
    );
    if (!cache) throw new Error("unreachable: the cache is always on for login");
    const session = openSession(config, log, {
      grant: browserSignInGrant(context, env, { openBrowser: values["no-browser"] !== true }),
      // A login signs in again even when a valid token is cached: the user may mean another
      // account. The new tokens replace the cached ones only once the sign-in succeeds.
      store: signInAgain(cache.store),
      storeKey: cache.storeKey,
    });
    let token: TokenSet;
    try {
      token = await abortable(session.provider.getToken(), context.signal);
    } finally {
      await session.close().catch(() => {});
    }
    log.addSecret(token.accessToken);
    log.addSecret(token.refreshToken);
    context.stderr.write(`${signedInMessage(token)}\n`);
    return ExitCode.ok;
  },
};

/** `store`, but never answering a load: the provider runs the grant instead of reusing a token. */
function signInAgain(store: TokenStore): TokenStore {
  return {
    load: async () => undefined,
    save: (key, token) => store.save(key, token),
    clear: (key) => store.clear(key),
    ...(store.withLock ? { withLock: store.withLock.bind(store) } : {}),
  };
}

/** Who signed in and until when; never the token. */
function signedInMessage(token: TokenSet): string {
  const who = identityOf(token);
  const until =
    token.expiresAt === undefined
      ? "The server gave the access token no expiry"
      : `The access token is valid until ${rfc3339(token.expiresAt)}`;
  const renewal = token.refreshToken ? " (then renewed with the refresh token)" : "";
  return `Signed in${who ? ` as ${terminalSafe(who)}` : ""}. ${until}${renewal}; it is cached for \`passgrant token --grant authorization-code --cache\`.`;
}

/**
 * A name for the signed-in user from the ID token's claims (OpenID Connect Core §5.1), for the
 * message only: the signature is not checked, so nothing is decided on it.
 */
function identityOf(token: TokenSet): string | undefined {
  const idToken = token.raw.id_token;
  if (typeof idToken !== "string") return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8"),
    ) as Record<string, unknown>;
    const name = [payload.preferred_username, payload.email, payload.sub].find(
      (value): value is string => typeof value === "string" && value !== "",
    );
    return name && name.length <= 200 ? name : undefined;
  } catch {
    return undefined;
  }
}
