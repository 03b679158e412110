import { ConfigError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { InsecureTransportError } from "../transport/errors.js";
import { createTransport, isInsecureOrigin } from "../transport/transport.js";
import {
  AUTHORIZATION_CODE_GRANT_TYPE,
  checkAuthorizationCodeGrant,
  missingAuthorizationEndpoint,
} from "./authorization-code.js";
import type { AuthorizationServer } from "./authorization-code-flow.js";
import {
  type ClientAssertionSigner,
  createAssertionSigner,
  hasClientAssertionKey,
  loadClientAssertionKey,
} from "./client-assertion.js";
import {
  authorizationValues,
  type ClientAuthMethod,
  checkClientAuthMethod,
  sendsSecret,
  signsAssertion,
  usesClientCertificate,
} from "./client-auth.js";
import { DEVICE_CODE_GRANT_TYPE } from "./device-code.js";
import { missingDeviceEndpoint, realSleep } from "./device-flow.js";
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServer,
  withMtlsAliases,
} from "./discovery.js";
import { type GrantRequest, grantRequest } from "./grants.js";
import { SILENT_GRANT, SignInRequiredError } from "./silent-grant.js";
import { once } from "./single-flight.js";
import type { TokenEndpoint } from "./token-request.js";
import type {
  AuthorizationCodeGrant,
  TokenEvent,
  TokenProviderOptions,
  TokenStore,
} from "./types.js";

export const DEFAULT_RENEW_SKEW_MS = 60_000;

/** A provider's settings once validated; switch grants derive new ones from it. */
export interface ProviderConfig {
  endpoint: Omit<TokenEndpoint, "warn" | "tokenUrl">;
  /** The token endpoint: configured, or read once from the issuer's metadata. */
  tokenUrl: () => Promise<string>;
  /** The original grant, built when needed (switch grants use the parent's current token). */
  grant: () => Promise<GrantRequest>;
  renewSkewMs: number;
  clock: () => number;
  store?: TokenStore | undefined;
  storeKey: string;
  onEvent?: ((event: TokenEvent) => void) | undefined;
  /** Secrets of the configuration itself (password, client secret, Basic value). */
  configSecrets: readonly string[];
  /** RFC 7009 and RFC 7662 endpoints: configured or from the metadata. */
  revocationUrl: () => Promise<string>;
  introspectionUrl: () => Promise<string>;
  /** The device flow (RFC 8628) when it is the original grant; a switch grant has none. */
  deviceFlow?: DeviceFlowSettings | undefined;
  /** The browser sign-in (RFC 8252) when it is the original grant; a switch grant has none. */
  authorizationCodeFlow?: AuthorizationCodeFlowSettings | undefined;
  /** The issuer's metadata, read once (absent without an `issuer`). */
  metadata?: (() => Promise<AuthorizationServerMetadata>) | undefined;
  /** A derived (switch) provider also masks its parent's secrets: its grant sends them. */
  parentSecrets?: (() => string[]) | undefined;
}

export interface DeviceFlowSettings {
  deviceAuthorizationUrl: () => Promise<string>;
  grant: Extract<TokenProviderOptions["grant"], { type: "device_code" }> | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AuthorizationCodeFlowSettings {
  /** The authorization endpoint and the issuer that must answer: configured or from metadata. */
  server: () => Promise<AuthorizationServer>;
  grant: AuthorizationCodeGrant;
}

/** Validates the options (every problem at once) into a provider's settings. */
export function resolveConfig(options: TokenProviderOptions): ProviderConfig {
  const problems: string[] = [];
  const tokenUrl =
    options.tokenUrl === undefined ? undefined : checkUrl("tokenUrl", options.tokenUrl, problems);
  const issuer =
    options.issuer === undefined ? undefined : checkUrl("issuer", options.issuer, problems);
  const revocationUrl =
    options.revocationUrl === undefined
      ? undefined
      : checkUrl("revocationUrl", options.revocationUrl, problems);
  const introspectionUrl =
    options.introspectionUrl === undefined
      ? undefined
      : checkUrl("introspectionUrl", options.introspectionUrl, problems);
  const authorizationUrl =
    options.authorizationUrl === undefined
      ? undefined
      : checkUrl("authorizationUrl", options.authorizationUrl, problems);
  const deviceUrl =
    options.deviceAuthorizationUrl === undefined
      ? undefined
      : checkUrl("deviceAuthorizationUrl", options.deviceAuthorizationUrl, problems);
  if (options.tokenUrl === undefined && options.issuer === undefined) {
    problems.push(
      "tokenUrl or issuer is required: the token endpoint itself, or the issuer whose metadata (RFC 8414) names it.",
    );
  }
  if (typeof options.clientId !== "string" || options.clientId === "") {
    problems.push("clientId is required.");
  }
  const withKey = hasClientAssertionKey(options);
  const clientAuth = checkClientAuthMethod(
    options.clientAuth ?? (withKey ? "private_key_jwt" : "basic"),
  );
  if (sendsSecret(clientAuth) && !options.clientSecret) {
    problems.push(
      `clientSecret is required with clientAuth "${clientAuth}"; use clientAuth "none" for a public client.`,
    );
  }
  const assertion = clientAssertionFor(options, clientAuth, withKey, problems);
  const silent = options.grant?.type === SILENT_GRANT;
  if (silent && (options.store === undefined || options.storeKey === undefined)) {
    problems.push(
      'The "silent" grant needs `store` and `storeKey`: it only uses the token kept there.',
    );
  }
  const renewSkewMs = options.renewSkewMs ?? DEFAULT_RENEW_SKEW_MS;
  if (!Number.isFinite(renewSkewMs) || renewSkewMs < 0) {
    problems.push(`renewSkewMs must be a number >= 0, got ${String(options.renewSkewMs)}.`);
  }
  if (problems.length > 0 || !(tokenUrl || issuer)) throw new ConfigError(problems);
  const checkSecure = (url: URL) => {
    if (isInsecureOrigin(url) && options.allowInsecureHttp !== true) {
      throw new InsecureTransportError(redactUrl(url));
    }
  };
  for (const url of [
    tokenUrl,
    issuer,
    deviceUrl,
    authorizationUrl,
    revocationUrl,
    introspectionUrl,
  ]) {
    if (url) checkSecure(url);
  }
  /** A configured endpoint, else the one the issuer's metadata names, else a ConfigError. */
  const endpointFor =
    (
      configured: URL | undefined,
      key: "revocationEndpoint" | "introspectionEndpoint",
      option: string,
      what: string,
    ) =>
    async (): Promise<string> => {
      if (configured) return configured.href;
      const found = (await metadata?.())?.[key];
      if (!found) {
        throw new ConfigError(
          `${what} needs the server's endpoint for it: set \`${option}\`, or \`issuer\` if the server's metadata names it.`,
        );
      }
      checkSecure(new URL(found));
      return found;
    };
  // Validates the grant up front; the silent grant has no request of its own.
  const initial = silent
    ? { grantType: SILENT_GRANT, parameters: {}, secrets: [] }
    : grantRequest(options.grant);
  const username = initial.grantType === "password" ? initial.parameters.username : undefined;
  const fetch =
    options.fetch ??
    createTransport(options.allowInsecureHttp ? { allowInsecureHttp: true } : {}).fetch;
  const metadata = issuer
    ? once(async () => {
        const found = await discoverAuthorizationServer(String(options.issuer), { fetch });
        // RFC 8705 §5: a client using mutual TLS sends to the server's mTLS aliases, where there
        // are any (a server may ask for certificates on other hosts or ports only).
        const used = usesClientCertificate(clientAuth) ? withMtlsAliases(found) : found;
        checkSecure(new URL(used.tokenEndpoint));
        return used;
      })
    : undefined;
  return {
    tokenUrl: tokenUrl
      ? async () => tokenUrl.href
      : async () =>
          (await (metadata as () => Promise<AuthorizationServerMetadata>)()).tokenEndpoint,
    metadata,
    revocationUrl: endpointFor(revocationUrl, "revocationEndpoint", "revocationUrl", "Revocation"),
    introspectionUrl: endpointFor(
      introspectionUrl,
      "introspectionEndpoint",
      "introspectionUrl",
      "Introspection",
    ),
    deviceFlow:
      initial.grantType === DEVICE_CODE_GRANT_TYPE
        ? {
            deviceAuthorizationUrl: async () => {
              if (deviceUrl) return deviceUrl.href;
              const found = (await metadata?.())?.deviceAuthorizationEndpoint;
              if (!found) throw missingDeviceEndpoint();
              checkSecure(new URL(found));
              return found;
            },
            grant: options.grant as DeviceFlowSettings["grant"],
            sleep: options.sleep ?? realSleep,
          }
        : undefined,
    authorizationCodeFlow:
      initial.grantType === AUTHORIZATION_CODE_GRANT_TYPE
        ? {
            server: async () => {
              const found = await metadata?.();
              const endpoint = authorizationUrl?.href ?? found?.authorizationEndpoint;
              if (!endpoint) throw missingAuthorizationEndpoint();
              checkSecure(new URL(endpoint));
              return {
                authorizationEndpoint: endpoint,
                issuer: found?.issuer,
                issRequired: found?.raw.authorization_response_iss_parameter_supported === true,
              };
            },
            grant: checkAuthorizationCodeGrant(options.grant as AuthorizationCodeGrant),
          }
        : undefined,
    endpoint: {
      clientId: options.clientId,
      clientSecret: sendsSecret(clientAuth) ? options.clientSecret : undefined,
      clientAuth,
      clientAssertion: assertion?.sign,
      scope: options.scope,
      fetch,
      clock: options.clock ?? Date.now,
    },
    // Reached when no stored token serves and no refresh token does: silently, that is the end.
    grant: silent
      ? async () => {
          throw new SignInRequiredError();
        }
      : async () => grantRequest(options.grant),
    renewSkewMs,
    clock: options.clock ?? Date.now,
    store: options.store,
    storeKey:
      options.storeKey ??
      `passgrant:${options.clientId}@${redactUrl((tokenUrl ?? issuer) as URL)}#${initial.grantType}${username ? `:${username}` : ""}`,
    onEvent: options.onEvent,
    configSecrets: [
      ...configSecrets(initial.secrets, options.clientId, options.clientSecret, clientAuth),
      ...(assertion?.secrets ?? []),
    ],
  };
}

/**
 * The signer of `private_key_jwt` assertions, its key read and checked now (a wrong file is a
 * ConfigError at creation, not at the first request). A key given with another method is a
 * mistake worth saying: it would silently not be used.
 */
function clientAssertionFor(
  options: TokenProviderOptions,
  clientAuth: ClientAuthMethod,
  withKey: boolean,
  problems: string[],
): { sign: ClientAssertionSigner; secrets: string[] } | undefined {
  if (!signsAssertion(clientAuth)) {
    if (withKey) {
      problems.push(
        `clientAssertionKey is set but clientAuth is "${clientAuth}": set clientAuth "private_key_jwt" to sign with it, or drop the key.`,
      );
    }
    return undefined;
  }
  if (!withKey) {
    problems.push(
      'clientAuth "private_key_jwt" needs clientAssertionKey (or clientAssertionKeyFile): the private key whose public key the server has registered for the client.',
    );
    return undefined;
  }
  try {
    const { key, alg, secrets } = loadClientAssertionKey(options);
    const sign = createAssertionSigner({
      clientId: options.clientId,
      key,
      alg,
      kid: options.clientAssertionKid,
      audience: options.clientAssertionAudience,
      clock: options.clock ?? Date.now,
    });
    return { sign, secrets };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** An absolute http(s) URL without credentials in it, or a problem said about `name`. */
function checkUrl(name: string, value: string | URL, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
  } catch {
    const example =
      name === "issuer" ? "https://login.example.com" : "https://msx.example.com/idm/v2/token";
    problems.push(
      `${name} must be an absolute https URL such as ${example}, got ${JSON.stringify(redactUrl(String(value)))}.`,
    );
    return undefined;
  }
  if (url.username || url.password) {
    // fetch refuses such URLs with a TypeError that quotes them, credentials and all.
    problems.push(
      `${name} must not contain a user name or password (${redactUrl(url)}): pass the client's credentials as clientId and clientSecret.`,
    );
    return undefined;
  }
  return url;
}

/** The secrets a configuration sends: grant secrets, client secret, and the Basic value. */
function configSecrets(
  grantSecrets: readonly string[],
  clientId: string,
  clientSecret: string | undefined,
  clientAuth: ClientAuthMethod,
): string[] {
  const secrets = [...grantSecrets];
  if (clientSecret && sendsSecret(clientAuth)) {
    secrets.push(clientSecret);
    for (const value of authorizationValues(clientId, clientSecret)) {
      secrets.push(value.slice(value.indexOf(" ") + 1));
    }
  }
  return secrets;
}
