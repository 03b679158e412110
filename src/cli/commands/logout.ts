import { parseCommandArgs, UsageError } from "../args.js";
import { cacheFor } from "../cache-option.js";
import { cachedGrantOption } from "../cached-grant.js";
import { logoutOptions } from "../command-options.js";
import type { Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { openSession } from "../session.js";

const help = `Usage: passgrant logout [--grant GRANT] [--cache-file PATH] [options]

Signs out the identity whose token \`passgrant token --cache\` keeps: revokes its refresh token and
access token at the server (RFC 7009) and removes them from the token cache. The revocation
endpoint comes from MSX_ISSUER's metadata. A refused revocation keeps the cached tokens (exit 3).

Options:
  --grant GRANT          whose token: password (default, MSX_USERNAME's), client-credentials,
                         device-code, authorization-code (\`passgrant login --web\`'s); as given
                         to \`passgrant token --cache\`
  --cache-file PATH      the cache file (default: the one \`passgrant token --cache\` uses)
  -v, --verbose          log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE          read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  --profile NAME         use the config file's profile NAME (or set PASSGRANT_PROFILE)
  -h, --help             show this help`;

export const logoutCommand: Command = {
  name: "logout",
  async run(args, context) {
    const { values } = parseCommandArgs("logout", args, logoutOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const grant = cachedGrantOption(values.grant, "logout");
    const log = createLogger(context, values.verbose === true);
    // No grant runs: no password is needed, only what names the cached identity.
    const config = await resolvePlatform(context, log, {
      command: "logout",
      dotenv: values,
      needsUser: false,
      needsBaseUrl: false,
    });
    if (grant === "password" && !config.username) {
      throw new UsageError(
        "logout of a password-grant token needs MSX_USERNAME (whose token to revoke), or --grant.",
        "logout",
      );
    }
    const cache = cacheFor(
      "logout",
      { cache: true, "cache-file": values["cache-file"] },
      commandEnvironment(context, values),
      config,
      grant,
      log,
    );
    if (!cache) throw new Error("unreachable: the cache is always on for logout");
    const held = await cache.store.load(cache.storeKey);
    const session = openSession(config, log, {
      // Never run: revoke() only uses the stored tokens, found by the explicit key.
      grant: { type: "client_credentials" },
      ...cache,
    });
    try {
      await session.provider.revoke();
    } finally {
      await session.close().catch(() => {});
    }
    context.stderr.write(
      held
        ? "Signed out: the cached tokens were revoked and removed.\n"
        : "No cached token for this identity: nothing to revoke.\n",
    );
    return ExitCode.ok;
  },
};
