/**
 * passgrant's one error hierarchy. Every error a user can meet is a `PassgrantError` with a stable
 * `code` (safe to branch on; the message is for people and may change). Messages say what was
 * wrong and how to fix it, and never carry secrets: build them from redacted values only.
 *
 * Subclasses live next to the code that throws them (auth, transport, config) and are re-exported
 * from the package root.
 */
export type PassgrantErrorCode =
  | "ERR_CONFIG"
  | "ERR_OAUTH"
  | "ERR_HTTP"
  | "ERR_TOKEN_RESPONSE"
  | "ERR_TIMEOUT"
  | "ERR_NETWORK"
  | "ERR_TLS"
  | "ERR_INSECURE_TRANSPORT"
  | "ERR_ABORTED"
  | "ERR_CACHE"
  | "ERR_RESPONSE_TOO_LARGE"
  | "ERR_UNEXPECTED_RESPONSE"
  | "ERR_UNKNOWN_OPERATION"
  | "ERR_INVALID_REQUEST"
  | "ERR_DISCOVERY"
  | "ERR_AUTHORIZATION"
  | "ERR_SIGN_IN_REQUIRED";

export class PassgrantError extends Error {
  readonly code: PassgrantErrorCode;

  constructor(code: PassgrantErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration or option is missing or invalid. `problems` lists each one, with its fix. */
export class ConfigError extends PassgrantError {
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === "string" ? [problems] : [...problems];
    super(
      "ERR_CONFIG",
      list.length === 1 ? `${list[0]}` : `Invalid configuration:\n- ${list.join("\n- ")}`,
      options,
    );
    this.problems = list;
  }
}
