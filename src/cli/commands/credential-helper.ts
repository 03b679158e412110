import type { Grant } from "../../auth/types.js";
import { abortable } from "../abortable.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { cacheFor } from "../cache-option.js";
import { cachedGrantOption } from "../cached-grant.js";
import { credentialHelperOptions, gitCredentialOperations } from "../command-options.js";
import type { Command, CommandContext } from "../context.js";
import { deviceCodeGrant } from "../device-code-prompt.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { openSession } from "../session.js";

const help = `Usage: passgrant credential-helper git <get|store|erase> [--grant GRANT] [--cache]

A git credential helper (git-credential(1)): \`get\` answers with the access token as the password,
so git can use passgrant's tokens for HTTPS remotes that accept OAuth tokens:

  git config credential.https://git.example.com.helper '!passgrant credential-helper git'

  get      prints username=<MSX_USERNAME, or x-access-token> and password=<the access token>
           (with password_expiry_utc when the expiry is known)
  store    accepted and ignored: passgrant keeps its own tokens
  erase    removes the identity's token from the --cache token cache (git erases a credential
           the server rejected, so the next get obtains a new token)

Options:
  --grant GRANT          password (default), client-credentials, device-code or
                         authorization-code (the token \`passgrant login --web\` cached)
  --cache                reuse a valid token from the on-disk cache (and save new ones there)
  --cache-file PATH      the cache file (as for passgrant token)
  --dotenv FILE          read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  --profile NAME         use the config file's profile NAME (or set PASSGRANT_PROFILE)
  -h, --help             show this help`;

/** git-credential(1)'s input is a few short lines; more is not a credential request. */
const MAX_INPUT_BYTES = 64 * 1024;

export const credentialHelperCommand: Command = {
  name: "credential-helper",
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      "credential-helper",
      args,
      credentialHelperOptions,
      true,
    );
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const [tool, operation] = positionals;
    if (tool !== "git" || positionals.length !== 2) {
      throw new UsageError(
        "Usage: passgrant credential-helper git <get|store|erase>.",
        "credential-helper",
      );
    }
    if (!gitCredentialOperations.some((known) => known === operation)) {
      // git-credential(1): a helper ignores operations it does not know.
      return ExitCode.ok;
    }
    await readCredentialInput(context);
    if (operation === "store") return ExitCode.ok;

    const grant = cachedGrantOption(values.grant, "credential-helper");
    const log = createLogger(context, values.verbose === true);
    const needsUser = grant === "password" && operation === "get";
    const config = await resolvePlatform(context, log, {
      command: "credential-helper",
      dotenv: values,
      needsUser,
      needsBaseUrl: false,
    });
    const cache = cacheFor(
      "credential-helper",
      values,
      commandEnvironment(context, values),
      config,
      grant,
      log,
      context.profile?.()?.name,
    );
    if (operation === "erase") {
      await cache?.store.clear(cache.storeKey);
      return ExitCode.ok;
    }
    const sessionGrant: Grant | undefined =
      grant === "device_code"
        ? deviceCodeGrant(context)
        : grant === "client_credentials"
          ? { type: "client_credentials" }
          : undefined;
    const session = openSession(config, log, {
      ...(sessionGrant ? { grant: sessionGrant } : {}),
      ...cache,
    });
    try {
      const token = await abortable(session.provider.getToken(), context.signal);
      log.addSecret(token.accessToken);
      const lines = [
        `username=${config.username ?? "x-access-token"}`,
        `password=${token.accessToken}`,
        // git 2.41+: forget the credential after this time; older versions ignore the attribute.
        ...(token.expiresAt !== undefined
          ? [`password_expiry_utc=${Math.floor(token.expiresAt / 1000)}`]
          : []),
      ];
      context.stdout.write(`${lines.join("\n")}\n`);
      return ExitCode.ok;
    } finally {
      await session.close().catch(() => {});
    }
  },
};

/**
 * Reads git's `key=value` lines up to a blank line or the end (git-credential(1)). passgrant needs
 * none of them (its configuration says which server), but reading them lets git finish writing.
 */
async function readCredentialInput(context: CommandContext): Promise<void> {
  let size = 0;
  let text = "";
  for await (const chunk of context.stdin) {
    const part = typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    size += part.length;
    text += part;
    if (size > MAX_INPUT_BYTES) {
      throw new UsageError(
        "The credential request on standard input is too long.",
        "credential-helper",
      );
    }
    if (/(^|\n)\r?\n/.test(text)) break;
  }
}
