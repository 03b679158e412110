import { PassgrantError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { readTextLimited } from "../transport/response-body.js";

/** A metadata document is a few kilobytes; anything past this is not one. */
const MAX_METADATA_BYTES = 256 * 1024;

/** The endpoints passgrant uses, taken from an authorization server's metadata. */
export interface AuthorizationServerMetadata {
  /** The issuer identifier, exactly as the document states it (and as configured). */
  issuer: string;
  tokenEndpoint: string;
  /** RFC 8414 §2: where a browser signs in (the authorization code grant). */
  authorizationEndpoint?: string;
  /** RFC 8628 §4. */
  deviceAuthorizationEndpoint?: string;
  /** RFC 7009 §3 (RFC 8414 §2). */
  revocationEndpoint?: string;
  /** RFC 7662 §4 (RFC 8414 §2). */
  introspectionEndpoint?: string;
  /**
   * RFC 8705 §5 `mtls_endpoint_aliases`: where a client using mutual TLS sends its requests
   * instead (passgrant does so for the `tls_client_auth` methods).
   */
  mtlsEndpointAliases?: MtlsEndpointAliases;
  /** Where the document was read. */
  metadataUrl: string;
  /** The whole document. */
  raw: Record<string, unknown>;
}

/** The endpoints RFC 8705 §5 lets a server alias for mutual TLS, among those passgrant uses. */
export type MtlsEndpointAliases = Partial<
  Pick<
    AuthorizationServerMetadata,
    "tokenEndpoint" | "deviceAuthorizationEndpoint" | "revocationEndpoint" | "introspectionEndpoint"
  >
>;

/** The metadata as a client using mutual TLS sees it: each aliased endpoint replaced (RFC 8705 §5). */
export function withMtlsAliases(
  metadata: AuthorizationServerMetadata,
): AuthorizationServerMetadata {
  return metadata.mtlsEndpointAliases ? { ...metadata, ...metadata.mtlsEndpointAliases } : metadata;
}

/** Why discovery failed: no document, a document for another issuer, or an unusable one. */
export type DiscoveryFailure = "missing" | "issuer_mismatch" | "invalid";

/** The authorization server metadata for `issuer` could not be read or trusted. */
export class DiscoveryError extends PassgrantError {
  readonly issuer: string;
  readonly reason: DiscoveryFailure;
  /** What to do about it, also at the end of the message. Names options in backquotes. */
  readonly hint?: string;

  constructor(issuer: string, reason: DiscoveryFailure, problem: string, hint?: string) {
    super("ERR_DISCOVERY", hint ? `${problem} ${hint}` : problem);
    this.issuer = issuer;
    this.reason = reason;
    if (hint !== undefined) this.hint = hint;
  }
}

/**
 * Where metadata for `issuer` may be: RFC 8414 §3.1 inserts the well-known path between the host
 * and the issuer's path; OpenID Connect Discovery 1.0 §4 appends it to the issuer.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * Reads the authorization server metadata of `issuer` (RFC 8414, then OpenID Connect Discovery),
 * and checks that the document names exactly that issuer (RFC 8414 §3.3): a document for another
 * issuer would send the credentials to endpoints the configured issuer never vouched for.
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: { fetch?: (request: Request) => Promise<Response>; signal?: AbortSignal } = {},
): Promise<AuthorizationServerMetadata> {
  const fetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let urls: string[];
  try {
    urls = metadataUrls(issuer);
  } catch {
    throw new DiscoveryError(
      issuer,
      "invalid",
      `issuer must be an absolute https URL such as https://login.example.com, got ${JSON.stringify(redactUrl(issuer))}.`,
    );
  }
  const tried: string[] = [];
  for (const metadataUrl of urls) {
    const response = await fetch(
      new Request(metadataUrl, {
        headers: { Accept: "application/json" },
        redirect: "manual",
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      tried.push(`${metadataUrl} (HTTP ${response.status})`);
      continue;
    }
    const { text, truncated } = await readTextLimited(response, MAX_METADATA_BYTES);
    let document: unknown;
    try {
      if (truncated) throw new Error("too large");
      document = JSON.parse(text);
    } catch {
      tried.push(`${metadataUrl} (not a JSON document)`);
      continue;
    }
    return checkMetadata(issuer, metadataUrl, document);
  }
  throw new DiscoveryError(
    issuer,
    "missing",
    `No authorization server metadata for issuer ${issuer}: tried ${tried.join(" and ")}.`,
    "Check `issuer` (the server's issuer identifier), or set `tokenUrl` instead.",
  );
}

function checkMetadata(
  issuer: string,
  metadataUrl: string,
  document: unknown,
): AuthorizationServerMetadata {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new DiscoveryError(issuer, "invalid", `${metadataUrl} is not a JSON object.`);
  }
  const raw = document as Record<string, unknown>;
  if (raw.issuer !== issuer) {
    const stated =
      typeof raw.issuer === "string" ? JSON.stringify(shownIssuer(raw.issuer)) : "none";
    throw new DiscoveryError(
      issuer,
      "issuer_mismatch",
      `The metadata at ${metadataUrl} is for issuer ${stated}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3 requires them identical).`,
      "If that server is the one you mean, set `issuer` to exactly its value; otherwise the document is not to be trusted.",
    );
  }
  const endpoint = (
    name: string,
    required: boolean,
    from: Record<string, unknown> = raw,
  ): string | undefined => {
    const value = from[name];
    if (value === undefined && !required) return undefined;
    try {
      if (typeof value !== "string") throw new Error();
      const url = new URL(value);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
      return url.href;
    } catch {
      throw new DiscoveryError(
        issuer,
        "invalid",
        `The metadata at ${metadataUrl} has no usable ${name} (an absolute URL is required).`,
      );
    }
  };
  const optional = (
    name: string,
    key: keyof AuthorizationServerMetadata,
    from: Record<string, unknown> = raw,
  ) => {
    const value = endpoint(name, false, from);
    return value === undefined ? {} : { [key]: value };
  };
  const aliases = raw.mtls_endpoint_aliases;
  if (
    aliases !== undefined &&
    (typeof aliases !== "object" || aliases === null || Array.isArray(aliases))
  ) {
    throw new DiscoveryError(
      issuer,
      "invalid",
      `The metadata at ${metadataUrl} has an mtls_endpoint_aliases that is not a JSON object (RFC 8705 §5).`,
    );
  }
  const aliasOf = (name: string, key: keyof MtlsEndpointAliases) =>
    aliases === undefined ? {} : optional(name, key, aliases as Record<string, unknown>);
  const mtlsEndpointAliases: MtlsEndpointAliases = {
    ...aliasOf("token_endpoint", "tokenEndpoint"),
    ...aliasOf("device_authorization_endpoint", "deviceAuthorizationEndpoint"),
    ...aliasOf("revocation_endpoint", "revocationEndpoint"),
    ...aliasOf("introspection_endpoint", "introspectionEndpoint"),
  };
  return {
    issuer,
    tokenEndpoint: endpoint("token_endpoint", true) as string,
    ...optional("authorization_endpoint", "authorizationEndpoint"),
    ...optional("device_authorization_endpoint", "deviceAuthorizationEndpoint"),
    ...optional("revocation_endpoint", "revocationEndpoint"),
    ...optional("introspection_endpoint", "introspectionEndpoint"),
    ...(Object.keys(mtlsEndpointAliases).length > 0 ? { mtlsEndpointAliases } : {}),
    metadataUrl,
    raw,
  };
}

/** A server's `issuer` value as shown in a message: bounded, any credentials in it masked. */
function shownIssuer(value: string): string {
  const short = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  try {
    const url = new URL(value);
    return url.username || url.password ? redactUrl(url) : short;
  } catch {
    return short;
  }
}
