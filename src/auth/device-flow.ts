import { ConfigError } from "../errors.js";
import { abortedBy } from "../transport/aborted-error.js";

import { postClientForm, sentClientSecrets } from "./client-post.js";
import { DEVICE_CODE_GRANT_TYPE, type DeviceCodePrompt } from "./device-code.js";
import { OAuthError } from "./oauth-error.js";
import { EXPIRED_DEVICE_CODE_HINT, requestToken, type TokenEndpoint } from "./token-request.js";
import { parseTokenResponse } from "./token-response.js";
import { TokenResponseError } from "./token-response-error.js";
import type { TokenSet } from "./types.js";

/** The reason an abort gives when its signal says nothing of its own. */
const CANCELLED = "the device authorization was cancelled";

/** RFC 8628 §3.2: the polling interval when the server names none. */
const DEFAULT_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval, for this and later requests. */
const SLOW_DOWN_SECONDS = 5;
const MAX_DEVICE_RESPONSE_BYTES = 64 * 1024;

/** Sleeps `ms`, or rejects with `AbortedError` as soon as `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedBy(signal, CANCELLED));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedBy(signal as AbortSignal, CANCELLED));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export interface DeviceFlowContext {
  deviceAuthorizationUrl: string;
  endpoint: TokenEndpoint;
  prompt: (prompt: DeviceCodePrompt) => void;
  sleep: Sleep;
  signal?: AbortSignal | undefined;
}

/**
 * The device authorization grant (RFC 8628): asks for a device and user code (§3.1), shows the
 * user where to enter it (§3.3), and polls the token endpoint at the server's interval (§3.4)
 * until the user approves, denies (`access_denied`) or the code expires (`expired_token`, or
 * our own count of `expires_in`). `slow_down` adds 5 s to the interval; `authorization_pending`
 * waits. Cancellable at any wait through `signal`.
 */
export async function runDeviceFlow(context: DeviceFlowContext): Promise<TokenSet> {
  const { endpoint, sleep, signal } = context;
  const authorization = await requestDeviceCode(context);
  const expiresAt = endpoint.clock() + authorization.expiresIn * 1000;
  context.prompt({
    verificationUri: authorization.verificationUri,
    ...(authorization.verificationUriComplete
      ? { verificationUriComplete: authorization.verificationUriComplete }
      : {}),
    userCode: authorization.userCode,
    expiresAt,
  });
  let intervalMs = authorization.interval * 1000;
  const request = {
    grantType: DEVICE_CODE_GRANT_TYPE,
    parameters: { device_code: authorization.deviceCode },
    secrets: [authorization.deviceCode],
  };
  // Bounded: one poll per interval (at least a second) until the code expires, whatever the clock.
  const maxPolls = Math.ceil(authorization.expiresIn) + 1;
  for (let poll = 0; poll < maxPolls; poll++) {
    await sleep(intervalMs, signal);
    if (endpoint.clock() >= expiresAt) break;
    try {
      return await requestToken(endpoint, request);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.error === "authorization_pending") continue;
      if (error.error === "slow_down") {
        intervalMs += SLOW_DOWN_SECONDS * 1000;
        continue;
      }
      throw error; // access_denied, expired_token and anything else end the flow (§3.5)
    }
  }
  throw new OAuthError({
    error: "expired_token",
    status: 0,
    hint: EXPIRED_DEVICE_CODE_HINT,
  });
}

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval: number;
}

/** RFC 8628 §3.1 and §3.2: the device authorization request and its response. */
async function requestDeviceCode(context: DeviceFlowContext): Promise<DeviceAuthorization> {
  const { endpoint } = context;
  const form = new URLSearchParams();
  const scope = typeof endpoint.scope === "string" ? endpoint.scope : endpoint.scope?.join(" ");
  if (scope) form.set("scope", scope);
  const secrets = endpoint.clientSecret ? [endpoint.clientSecret] : [];
  const response = await postClientForm(
    context.deviceAuthorizationUrl,
    endpoint,
    form,
    context.signal,
  );
  secrets.push(...sentClientSecrets(form));
  if (!response.ok) {
    // Error bodies are RFC 6749 §5.2 ones (RFC 8628 §3.2): the token response parser reads them.
    await parseTokenResponse(response, {
      tokenUrl: context.deviceAuthorizationUrl,
      requestedAt: endpoint.clock(),
      secrets,
      warn: endpoint.warn,
      hintFor: (error) =>
        error === "unauthorized_client" || error === "unsupported_grant_type"
          ? "The client is not allowed to use the device authorization grant: enable it for the client on the server"
          : undefined,
    });
  }
  const invalid = (problem: string) =>
    new TokenResponseError({
      problem: `the device authorization response ${problem}`,
      status: response.status,
    });
  const { text, truncated } = await response.readText(MAX_DEVICE_RESPONSE_BYTES);
  let body: Record<string, unknown>;
  try {
    if (truncated) throw new Error();
    body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error();
  } catch {
    throw invalid("is not a JSON object");
  }
  // Shown on a terminal and sent back: visible ASCII only (RFC 6749 Appendix A).
  const text_ = (name: string, required: boolean): string | undefined => {
    const value = body[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value) || value.length > 2048) {
      throw invalid(`has no usable ${name}`);
    }
    return value;
  };
  const url = (name: string, required: boolean): string | undefined => {
    const value = text_(name, required);
    if (value === undefined) return undefined;
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
      throw invalid(`has no usable ${name} (an http(s) URL is required)`);
    }
    return value;
  };
  const seconds = (name: string, fallback: number | undefined): number => {
    const value = body[name] ?? fallback;
    const number = typeof value === "string" ? Number(value) : value;
    if (typeof number !== "number" || !Number.isFinite(number) || number <= 0) {
      throw invalid(`has no usable ${name} (a positive number of seconds)`);
    }
    return number;
  };
  const verificationUriComplete = url("verification_uri_complete", false);
  return {
    deviceCode: text_("device_code", true) as string,
    userCode: text_("user_code", true) as string,
    // Some servers (Google's among them) say verification_url.
    verificationUri: (body.verification_uri === undefined && body.verification_url !== undefined
      ? url("verification_url", true)
      : url("verification_uri", true)) as string,
    ...(verificationUriComplete ? { verificationUriComplete } : {}),
    // Capped like token lifetimes are: an hour is far more than any real device code lives.
    expiresIn: Math.min(seconds("expires_in", undefined), 3600),
    interval: Math.min(Math.max(seconds("interval", DEFAULT_INTERVAL_SECONDS), 1), 60),
  };
}

/** The device flow needs the device authorization endpoint: configured or from metadata. */
export function missingDeviceEndpoint(): ConfigError {
  return new ConfigError(
    "The device_code grant needs the device authorization endpoint: set `issuer` (its metadata names it) or `deviceAuthorizationUrl`.",
  );
}
