import type { TokenSet } from "../auth/types.js";
import { UsageError } from "./args.js";
import { tokenFormats } from "./command-options.js";

// How `passgrant token` prints a token: the bare token, JSON, an HTTP header, or kubectl's
// ExecCredential.

const formats = tokenFormats;
export type TokenFormat = (typeof formats)[number];

export function tokenFormat(text: string | undefined, json: boolean): TokenFormat {
  if (json && text !== undefined && text !== "json") {
    throw new UsageError("--json is --format json: give one of them.", "token");
  }
  const format = text ?? (json ? "json" : "token");
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be one of ${formats.join(", ")}, got ${JSON.stringify(text)}.`,
      "token",
    );
  }
  return format as TokenFormat;
}

/**
 * The token as the consumer expects it. `exec-credential` is kubectl's credential plugin output
 * (client.authentication.k8s.io/v1 ExecCredential): `status.token`, and `status.expirationTimestamp`
 * in RFC 3339 when the token's expiry is known, so kubectl asks again only after it.
 */
export function formatToken(token: TokenSet, format: TokenFormat): string {
  switch (format) {
    case "token":
      return `${token.accessToken}\n`;
    case "json":
      return `${JSON.stringify(withExpiresIn(token))}\n`;
    case "header":
      return `Authorization: Bearer ${token.accessToken}\n`;
    case "exec-credential":
      return `${JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        status: {
          token: token.accessToken,
          ...(token.expiresAt !== undefined
            ? { expirationTimestamp: rfc3339(token.expiresAt) }
            : {}),
        },
      })}\n`;
  }
}

/**
 * The token set with `expires_in` (whole seconds from now, RFC 6749 §5.1's meaning) right after
 * `expiresAt` (epoch milliseconds): a script can test the remaining lifetime without reading a
 * clock, and a cached token shows what is left of it, not its original lifetime.
 */
function withExpiresIn(token: TokenSet): Record<string, unknown> {
  if (token.expiresAt === undefined) return { ...token };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(token)) {
    out[key] = value;
    if (key === "expiresAt") {
      out.expires_in = Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000));
    }
  }
  return out;
}

/** RFC 3339 in UTC, whole seconds (`2026-11-23T19:00:00Z`). */
export function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}
