import { CACHE_ADVICE, type CacheAdvice, CacheError } from "../cache/cache-error.js";
import { optionVariableNames, optionVariables } from "../config/index.js";
import { PASSWORD_NEEDED } from "../config/platform-config.js";
import { ConfigError } from "../errors.js";

/** {@link CACHE_ADVICE} in the CLI's flags: its cache is `--cache`, its path `--cache-file`. */
const CLI_CACHE_ADVICE: Readonly<Record<CacheAdvice, string>> = {
  elsewhere:
    "Run without --cache, or point --cache-file at a file in a directory only you can write.",
  "other-path": "Point --cache-file at another path, or remove that file if you no longer need it.",
  "parent-directory":
    "Point --cache-file at a path whose parent is a directory, or run without --cache.",
  "remove-lock": "Remove it, or point --cache-file elsewhere.",
};

/**
 * A library error's message in the CLI's words. Core code names options, never MSX_* variables
 * or flags. Errors that carry a `hint` (`OAuthError`, `TokenEndpointHttpError`, `TimeoutError`,
 * `TlsError`, `ResponseTooLargeError`) end their message with it, naming options in backquotes;
 * here those become the variables a CLI user sets: `` `clientAuth: "post"` `` reads
 * `MSX_CLIENT_AUTH=post` and `` `tokenUrl` `` reads `MSX_TOKEN_URL …`. Server text before the
 * hint is left alone. A `ConfigError` holds no server text, so all of it is translated.
 */
export function messageForCli(error: Error): string {
  if (error instanceof ConfigError) {
    return inCliWords(error.message).replace(
      `${PASSWORD_NEEDED}.`,
      `${PASSWORD_NEEDED} (or pipe it with --password-stdin).`,
    );
  }
  if (error instanceof CacheError) {
    const advice = CACHE_ADVICE[error.advice];
    return error.message.endsWith(advice)
      ? error.message.slice(0, -advice.length) + CLI_CACHE_ADVICE[error.advice]
      : error.message;
  }
  const hint = (error as { hint?: unknown }).hint;
  if (typeof hint !== "string" || hint === "" || !error.message.endsWith(hint)) {
    return error.message;
  }
  return error.message.slice(0, error.message.length - hint.length) + inCliWords(hint);
}

/**
 * The members of `passgrant token --grant token-exchange`'s grant (RFC 8693 §2.1), which the
 * CLI takes as flags rather than variables.
 */
const grantMemberFlags: Readonly<Record<string, string>> = {
  subjectToken: "--subject-token (or MSX_SUBJECT_TOKEN)",
  subjectTokenType: "--subject-token-type",
  requestedTokenType: "--requested-token-type",
  audience: "--audience",
  resource: "--resource",
};

/** Backquoted option names (and `option: "value"` pairs) as MSX_* variables or flags. */
export function inCliWords(hint: string): string {
  return hint
    .replace(/`(\w+): "([^"`]*)"`/g, (text, option: string, value: string) => {
      const variable = variableOf(option);
      return variable ? `${variable}=${value}` : text;
    })
    .replace(
      /`(\w+)`/g,
      (text, option: string) => optionVariables[option] ?? grantMemberFlags[option] ?? text,
    );
}

/** The bare variable name (for `NAME=value`), without any note the mapping adds. */
function variableOf(option: string): string | undefined {
  return (optionVariableNames as Readonly<Record<string, string>>)[option];
}
