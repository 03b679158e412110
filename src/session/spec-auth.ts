import type { OpenAPIV3 } from "openapi-types";
import type { SpecDocument } from "../spec/document.js";
import { HTTP_METHODS, operationTable } from "../spec/operations.js";

/**
 * What a spec says about getting and presenting tokens, for a session's defaults: the token
 * endpoint and scopes of its OAuth 2.0 scheme's password or clientCredentials flow (OpenAPI
 * 3.0 §4.7.29-31), and which operations take no token at all (`security: []`).
 */
export interface SpecAuth {
  /** The flow's `tokenUrl`, resolved against the server URL (the session's `baseUrl`). */
  readonly tokenUrl?: string;
  /** The scopes the document's security requirements ask of that scheme, space-separated. */
  readonly scope?: string;
  /**
   * The issuer of an `openIdConnect` scheme (OpenAPI 3.0 §4.7.29), when no oauth2 flow names a
   * token URL: its `openIdConnectUrl` is `<issuer>/.well-known/openid-configuration` (OpenID
   * Connect Discovery 1.0 §4), and the provider reads the endpoints from there.
   */
  readonly issuer?: string;
  /** Operations whose effective `security` is an empty list: called without a bearer token. */
  readonly anonymous: ReadonlySet<string>;
}

type Requirement = OpenAPIV3.SecurityRequirementObject;

/**
 * Reads the spec's auth for a grant. `grantType` picks the flow: `password` for the password
 * grant, `clientCredentials` for `client_credentials`; other grants take no flow's defaults.
 * Schemes named by a security requirement come before unreferenced ones. An `openIdConnect`
 * scheme gives the issuer instead, whatever the grant: discovery then names the endpoints.
 */
export function authFromSpec(
  document: SpecDocument,
  baseUrl: string,
  grantType: string,
  resolve: <T extends object>(value: T | OpenAPIV3.ReferenceObject | undefined) => T | undefined,
): SpecAuth {
  const requirements: Requirement[] = [...(document.security ?? [])];
  const anonymous = new Set(
    [...operationTable(document).values()]
      .filter((entry) => entry.anonymous)
      .map((entry) => entry.operationId),
  );
  for (const item of Object.values(document.paths ?? {})) {
    const pathItem = resolve<OpenAPIV3.PathItemObject>(item);
    for (const method of HTTP_METHODS) {
      const operation = pathItem?.[method];
      if (!operation) continue;
      requirements.push(...(operation.security ?? []));
    }
  }
  const referenced = new Set(requirements.flatMap((requirement) => Object.keys(requirement)));
  const schemesOf = (type: string) =>
    Object.entries(document.components?.securitySchemes ?? {})
      .map(([name, value]) => [name, resolve<OpenAPIV3.SecuritySchemeObject>(value)] as const)
      .filter(([, scheme]) => scheme?.type === type)
      .sort(([a], [b]) => Number(referenced.has(b)) - Number(referenced.has(a)));
  const issuer = schemesOf("openIdConnect")
    .map(([, scheme]) =>
      issuerOf((scheme as OpenAPIV3.OpenIdSecurityScheme).openIdConnectUrl, baseUrl),
    )
    .find((value) => value !== undefined);
  const withIssuer = issuer ? { issuer } : {};
  const flowName =
    grantType === "password"
      ? "password"
      : grantType === "client_credentials"
        ? "clientCredentials"
        : undefined;
  if (flowName === undefined) return { anonymous, ...withIssuer };

  for (const [name, scheme] of schemesOf("oauth2")) {
    const flow = (scheme as OpenAPIV3.OAuth2SecurityScheme).flows[flowName];
    if (!flow?.tokenUrl) continue;
    const tokenUrl = resolveTokenUrl(flow.tokenUrl, baseUrl);
    const scopes = [...new Set(requirements.flatMap((requirement) => requirement[name] ?? []))];
    return {
      ...(tokenUrl ? { tokenUrl } : {}),
      ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
      anonymous,
    };
  }
  return { anonymous, ...withIssuer };
}

const OIDC_DISCOVERY_PATH = "/.well-known/openid-configuration";

/** The issuer whose discovery document `openIdConnectUrl` is; undefined for another shape. */
function issuerOf(openIdConnectUrl: string, baseUrl: string): string | undefined {
  const url = resolveTokenUrl(openIdConnectUrl, baseUrl);
  return url?.endsWith(OIDC_DISCOVERY_PATH) ? url.slice(0, -OIDC_DISCOVERY_PATH.length) : undefined;
}

/** A relative `tokenUrl` is relative to the server URL (OpenAPI 3.0 §4.7.31, "Relative References"). */
function resolveTokenUrl(tokenUrl: string, baseUrl: string): string | undefined {
  try {
    const url = new URL(tokenUrl, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
