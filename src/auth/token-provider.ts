import { ConfigError, type PassgrantError } from "../errors.js";
import {
  AUTHORIZATION_CODE_GRANT_TYPE,
  DEFAULT_AUTHORIZATION_TIMEOUT_MS,
  DEFAULT_REDIRECT_PATH,
} from "./authorization-code.js";
import { DEVICE_CODE_GRANT_TYPE } from "./device-code.js";
import { runDeviceFlow } from "./device-flow.js";
import {
  GRANT_SWITCH_TENANT,
  GRANT_SWITCH_USER,
  type GrantRequest,
  refreshRequest,
} from "./grants.js";
import { OAuthError } from "./oauth-error.js";
import {
  type AuthorizationCodeFlowSettings,
  DEFAULT_RENEW_SKEW_MS,
  type DeviceFlowSettings,
  type ProviderConfig,
  resolveConfig,
} from "./provider-config.js";
import { singleFlight } from "./single-flight.js";
import { introspectToken, revokeToken } from "./token-management.js";
import { requestToken } from "./token-request.js";
import type {
  TokenEvent,
  TokenProvider,
  TokenProviderOptions,
  TokenSet,
  TokenStore,
} from "./types.js";

export { DEFAULT_RENEW_SKEW_MS };

/** How many replaced tokens a provider keeps for masking: enough for a few renewals in a run. */
const REMEMBERED_TOKENS = 8;

/**
 * Creates a provider that owns one identity's token: obtains it with `grant`, caches it (in
 * memory and in `store`), renews it before it expires (by refresh token when one was issued,
 * RFC 6749 §6; by the original grant otherwise or when the refresh is refused), and shares one
 * in-flight request among any number of concurrent callers.
 *
 * The password grant (RFC 6749 §4.3) is deprecated by the OAuth 2.0 Security BCP (RFC 9700
 * §2.4); platforms like MSX still require it. Prefer `client_credentials` where it fits.
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return buildProvider(resolveConfig(options));
}

function buildProvider(config: ProviderConfig): TokenProvider {
  let current: TokenSet | undefined;
  /** An access token the API rejected; never handed out again, even if a store returns it. */
  let rejected: string | undefined;
  /** Tokens this provider has held, newest last, for {@link TokenProvider.knownSecrets}. */
  const seenTokens: string[] = [];
  const remember = (token: TokenSet | undefined) => {
    for (const value of [token?.accessToken, token?.refreshToken]) {
      if (typeof value !== "string" || value === "" || seenTokens.includes(value)) continue;
      seenTokens.push(value);
      if (seenTokens.length > REMEMBERED_TOKENS) seenTokens.shift();
    }
  };
  const { clock, store, storeKey } = config;

  const emit = (event: TokenEvent) => {
    try {
      config.onEvent?.(event);
    } catch {
      // An observer's failure must not break authentication.
    }
  };
  const warn = (code: string, message: string) => emit({ type: "warning", code, message });

  const usable = (token: TokenSet | undefined): token is TokenSet =>
    token !== undefined &&
    token.accessToken !== rejected &&
    (token.expiresAt === undefined || clock() < renewAt(token, config.renewSkewMs));

  const send = async (request: GrantRequest): Promise<TokenSet> => {
    const tokenUrl = await config.tokenUrl();
    emit({ type: "grant", grantType: request.grantType });
    const token = await requestToken({ ...config.endpoint, tokenUrl, warn }, request);
    emit({
      type: "token",
      grantType: request.grantType,
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    });
    return token;
  };

  /** RFC 6749 §6 refresh; on refusal, the original grant. */
  const obtain = async (refreshToken: string | undefined): Promise<TokenSet> => {
    if (refreshToken) {
      try {
        const token = await send(refreshRequest(refreshToken));
        // §6: the server MAY issue a new refresh token; if it does not, the old one stays valid.
        return token.refreshToken ? token : { ...token, refreshToken };
      } catch (error) {
        // invalid_client will fail the original grant too: surface it instead.
        if (!(error instanceof OAuthError) || error.error === "invalid_client") throw error;
        emit({ type: "refresh-failed", error: error as PassgrantError });
      }
    }
    if (config.deviceFlow) return sendDeviceFlow(config.deviceFlow);
    if (config.authorizationCodeFlow)
      return sendAuthorizationCodeFlow(config.authorizationCodeFlow);
    return send(await config.grant());
  };

  /** RFC 8252: the user signs in in a browser that comes back to a loopback listener. */
  const sendAuthorizationCodeFlow = async (
    flow: AuthorizationCodeFlowSettings,
  ): Promise<TokenSet> => {
    const tokenUrl = await config.tokenUrl();
    const server = await flow.server();
    // Loaded on use: only this grant runs a loopback server.
    const { runAuthorizationCodeFlow } = await import("./authorization-code-flow.js");
    emit({ type: "grant", grantType: AUTHORIZATION_CODE_GRANT_TYPE });
    const { grant } = flow;
    const token = await runAuthorizationCodeFlow({
      server,
      endpoint: { ...config.endpoint, tokenUrl, warn },
      port: grant.port ?? 0,
      redirectPath: grant.redirectPath ?? DEFAULT_REDIRECT_PATH,
      timeoutMs: grant.timeoutMs ?? DEFAULT_AUTHORIZATION_TIMEOUT_MS,
      parameters: grant.parameters,
      signal: grant.signal,
      prompt: (prompt) => {
        emit({ type: "authorization-url", ...prompt });
        try {
          grant.onAuthorizationUrl?.(prompt);
        } catch {
          // A browser that fails to open must not end the sign-in: the event carries the URL too.
        }
      },
    });
    emit({
      type: "token",
      grantType: AUTHORIZATION_CODE_GRANT_TYPE,
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    });
    return token;
  };

  /** RFC 8628: the user approves elsewhere while we poll. */
  const sendDeviceFlow = async (device: DeviceFlowSettings): Promise<TokenSet> => {
    const tokenUrl = await config.tokenUrl();
    const deviceAuthorizationUrl = await device.deviceAuthorizationUrl();
    emit({ type: "grant", grantType: DEVICE_CODE_GRANT_TYPE });
    const token = await runDeviceFlow({
      deviceAuthorizationUrl,
      endpoint: { ...config.endpoint, tokenUrl, warn },
      sleep: device.sleep,
      signal: device.grant?.signal,
      prompt: (prompt) => {
        emit({ type: "device-code", ...prompt });
        try {
          device.grant?.onDeviceCode?.(prompt);
        } catch {
          // A prompt that fails to show must not end the sign-in: the event carries it too.
        }
      },
    });
    emit({
      type: "token",
      grantType: DEVICE_CODE_GRANT_TYPE,
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    });
    return token;
  };

  const renew = async (): Promise<TokenSet> => {
    // Inside the store's lock: another process may have renewed while we waited for it.
    const stored = store ? await loadSafely(store, storeKey, warn) : undefined;
    if (usable(stored)) {
      current = stored;
      remember(stored);
      emit({ type: "cache-hit" });
      return stored;
    }
    remember(stored);
    const token = await obtain((stored ?? current)?.refreshToken);
    current = token;
    remember(token);
    rejected = undefined;
    if (store) await saveSafely(store, storeKey, token, warn);
    return token;
  };

  const renewOnce = singleFlight(() =>
    store?.withLock ? store.withLock(storeKey, renew) : renew(),
  );

  const provider: TokenProvider = {
    async getToken() {
      if (usable(current)) {
        emit({ type: "cache-hit" });
        return current;
      }
      // A valid stored token is taken without the store's lock, which is for renewing (one
      // process renews, the others wait and then read its token). A store writes whole files
      // (a rename), so a read sees one token or the other; a stale one is read again in the lock.
      // A store that fails here fails again there, where it is reported (once).
      if (current === undefined && store?.withLock) {
        const stored = await loadSafely(store, storeKey, () => {});
        if (usable(stored)) {
          current = stored;
          remember(stored);
          emit({ type: "cache-hit" });
          return stored;
        }
      }
      return renewOnce();
    },
    async getAccessToken() {
      return (await provider.getToken()).accessToken;
    },
    invalidate(accessToken) {
      if (!current) return;
      if (accessToken !== undefined && accessToken !== current.accessToken) return;
      rejected = current.accessToken;
    },
    async switchTenant(target) {
      const parameters = tenantParameters(target);
      const key =
        "tenantId" in target ? `tenant:${target.tenantId}` : `tenant-name:${target.tenantName}`;
      return derive(GRANT_SWITCH_TENANT, parameters, key);
    },
    async switchUser(username) {
      if (typeof username !== "string" || username === "") {
        throw new ConfigError("switchUser needs the username to switch to.");
      }
      return derive(GRANT_SWITCH_USER, { switch_username: username }, `user:${username}`);
    },
    async revoke() {
      const held = current ?? (store ? await loadSafely(store, storeKey, warn) : undefined);
      const url = held ? await config.revocationUrl() : undefined;
      const endpoint = { ...config.endpoint, warn };
      // §2.1: revoking the refresh token first ends the grant, taking its access tokens along
      // on servers that support it; the access token is revoked too for those that do not.
      if (url && held?.refreshToken) {
        await revokeToken(url, endpoint, held.refreshToken, "refresh_token");
      }
      if (url && held?.accessToken) {
        await revokeToken(url, endpoint, held.accessToken, "access_token");
      }
      current = undefined;
      if (store) await store.clear(storeKey);
    },
    async introspect(token, hint) {
      const url = await config.introspectionUrl();
      const subject = token ?? (await provider.getAccessToken());
      return introspectToken(
        url,
        { ...config.endpoint, warn },
        subject,
        hint ?? (token === undefined ? "access_token" : undefined),
      );
    },
    async serverMetadata() {
      return config.metadata?.();
    },
    knownSecrets() {
      return [...seenTokens, ...config.configSecrets, ...(config.parentSecrets?.() ?? [])];
    },
  };

  /** A provider for the identity a switch grant yields; its grant uses our current token. */
  async function derive(
    grantType: string,
    parameters: Record<string, string>,
    key: string,
  ): Promise<TokenProvider> {
    const child = buildProvider({
      ...config,
      grant: async () => {
        const accessToken = await provider.getAccessToken();
        return {
          grantType,
          parameters: { access_token: accessToken, ...parameters },
          secrets: [accessToken],
        };
      },
      storeKey: `${storeKey}>${key}`,
      deviceFlow: undefined,
      authorizationCodeFlow: undefined,
      parentSecrets: () => provider.knownSecrets(),
    });
    await child.getToken(); // switch now, so a refused switch fails here, not at first use
    return child;
  }

  return provider;
}

function tenantParameters(
  target: { tenantId: string } | { tenantName: string },
): Record<string, string> {
  if ("tenantId" in target && typeof target.tenantId === "string" && target.tenantId) {
    return { tenant_id: target.tenantId };
  }
  if ("tenantName" in target && typeof target.tenantName === "string" && target.tenantName) {
    return { tenant_name: target.tenantName };
  }
  throw new ConfigError("switchTenant needs { tenantId } or { tenantName }.");
}

/** When to renew: `skew` before expiry, but never earlier than half the token's lifetime. */
function renewAt(token: TokenSet, skewMs: number): number {
  const expiresAt = token.expiresAt ?? Number.POSITIVE_INFINITY;
  const lifetimeMs = Number(token.raw.expires_in) * 1000;
  const skew =
    Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? Math.min(skewMs, lifetimeMs / 2) : skewMs;
  return expiresAt - skew;
}

async function loadSafely(
  store: TokenStore,
  key: string,
  warn: (code: string, message: string) => void,
): Promise<TokenSet | undefined> {
  try {
    const token = await store.load(key);
    return token && typeof token.accessToken === "string" && token.accessToken ? token : undefined;
  } catch (error) {
    warn(
      "store_load_failed",
      `The token store could not load (${describe(error)}); requesting a new token.`,
    );
    return undefined;
  }
}

async function saveSafely(
  store: TokenStore,
  key: string,
  token: TokenSet,
  warn: (code: string, message: string) => void,
): Promise<void> {
  try {
    await store.save(key, token);
  } catch (error) {
    warn(
      "store_save_failed",
      `The token store could not save (${describe(error)}); the token is kept in memory.`,
    );
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const name = (error as { name?: unknown })?.name;
  return typeof code === "string" ? code : typeof name === "string" ? name : "unknown error";
}
