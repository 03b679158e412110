import { CACHE_ADVICE, type CacheAdvice, CacheError } from "../cache/cache-error.js";
import { optionVariableNames, optionVariables } from "../config/index.js";
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
  if (error instanceof ConfigError) return inCliWords(error.message);
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

/** Backquoted option names (and `option: "value"` pairs) as MSX_* variables. */
export function inCliWords(hint: string): string {
  return hint
    .replace(/`(\w+): "([^"`]*)"`/g, (text, option: string, value: string) => {
      const variable = variableOf(option);
      return variable ? `${variable}=${value}` : text;
    })
    .replace(/`(\w+)`/g, (text, option: string) => optionVariables[option] ?? text);
}

/** The bare variable name (for `NAME=value`), without any note the mapping adds. */
function variableOf(option: string): string | undefined {
  return (optionVariableNames as Readonly<Record<string, string>>)[option];
}
