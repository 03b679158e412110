import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import Provider, { errors } from "oidc-provider";

export const CLIENT_ID = "passgrant-cli";
export const CLIENT_SECRET = "oidc-Secr3t:+/= x";
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface OidcServer {
  issuer: string;
  provider: InstanceType<typeof Provider>;
  /** Every request the server saw, as `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A real authorization server (panva's oidc-provider, a certified OpenID provider) on 127.0.0.1:
 * discovery, device flow, revocation and introspection enabled, one confidential client.
 */
export async function startOidcServer(
  options: {
    issuerPath?: string;
    configuration?: Record<string, unknown>;
    /** Adds middleware (`provider.use`) before the server starts answering. */
    prepare?: (provider: InstanceType<typeof Provider>) => void;
    /**
     * Serve https with this certificate, asking every client for one (mutual TLS, RFC 8705),
     * which `features.mTLS.getCertificate` then reads from the socket.
     */
    tls?: { key: string; cert: string; ca: string; requestCert?: boolean };
  } = {},
): Promise<OidcServer> {
  const server: Server = options.tls
    ? createHttpsServer({
        ...options.tls,
        requestCert: options.tls.requestCert ?? true,
        // Self-signed client certificates reach the provider, which decides (RFC 8705 §2.2).
        rejectUnauthorized: false,
      })
    : createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? "https" : "http";
  const issuer = `${scheme}://127.0.0.1:${port}${options.issuerPath ?? ""}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: [DEVICE_CODE_GRANT, "refresh_token", "client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    features: {
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    scopes: ["openid", "offline_access", "read"],
    // A refresh token whenever the client may use one (the default also wants offline_access
    // consented through a prompt, which a device grant approved by the test does not go through).
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    ...options.configuration,
  });
  options.prepare?.(provider);
  const seen: string[] = [];
  const callback = provider.callback();
  const prefix = options.issuerPath ?? "";
  server.on("request", (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    // Mounted under the issuer's path, as its docs describe for a path-ful issuer.
    if (prefix && req.url?.startsWith(prefix)) {
      (req as { originalUrl?: string }).originalUrl = req.url;
      req.url = req.url.slice(prefix.length) || "/";
    }
    callback(req, res);
  });
  return {
    issuer,
    provider,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Approves (or denies) a pending device code as the provider's own verification page would. */
export async function decideDeviceCode(
  provider: OidcServer["provider"],
  userCode: string,
  outcome: "approve" | "deny",
): Promise<void> {
  // The provider stores user codes normalised (upper case, no separators), as its own
  // verification page looks them up.
  const code = await provider.DeviceCode.findByUserCode(
    userCode.replace(/[^A-Z]/gi, "").toUpperCase(),
  );
  if (outcome === "deny") {
    code.error = "access_denied";
    code.errorDescription = "End-User aborted interaction";
  } else {
    const grant = new provider.Grant({ accountId: "alice", clientId: CLIENT_ID });
    grant.addOIDCScope("openid offline_access");
    code.grantId = await grant.save();
    code.accountId = "alice";
    code.authTime = Math.floor(Date.now() / 1000);
  }
  await code.save();
}

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
/** The one audience the exchange server issues tokens for (RFC 8693 §2.1 `audience`). */
export const EXCHANGE_AUDIENCE = "orders-api";

/**
 * oidc-provider with a token exchange grant (RFC 8693). oidc-provider 9 has none built in; it
 * takes extension grants (RFC 6749 §4.5) through registerGrantType. This one follows RFC 8693 §2
 * the way a server would: the provider authenticates the client (client_secret_post), the subject
 * token must be an access token it issued and still active, the audience must be
 * {@link EXCHANGE_AUDIENCE}, and the issued token is the provider's own (so its introspection
 * knows it). Each exchange request's parameters are recorded in `exchanges`.
 */
export async function startExchangeServer(): Promise<
  OidcServer & { exchanges: Array<Record<string, string | undefined>> }
> {
  const exchanges: Array<Record<string, string | undefined>> = [];
  const server = await startOidcServer({
    configuration: {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_types: ["client_credentials", TOKEN_EXCHANGE_GRANT],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
    },
    prepare: (provider) => {
      provider.registerGrantType(
        TOKEN_EXCHANGE_GRANT,
        async (ctx: {
          oidc: { params: Record<string, string | undefined>; client: unknown };
          body: unknown;
        }) => {
          const { params, client } = ctx.oidc;
          exchanges.push({ ...params });
          if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
            throw new errors.InvalidRequest("unsupported subject_token_type");
          }
          const subject = await provider.ClientCredentials.find(params.subject_token ?? "");
          if (!subject || subject.isExpired) {
            throw new errors.InvalidGrant("subject_token is invalid");
          }
          if (params.audience !== EXCHANGE_AUDIENCE) throw new errors.InvalidTarget();
          const issued = new provider.ClientCredentials({ client, scope: subject.scope });
          ctx.body = {
            access_token: await issued.save(),
            issued_token_type: ACCESS_TOKEN_TYPE,
            token_type: "Bearer",
            expires_in: issued.expiration,
          };
        },
        [
          "subject_token",
          "subject_token_type",
          "audience",
          "requested_token_type",
          "actor_token",
          "actor_token_type",
        ],
      );
    },
  });
  return Object.assign(server, { exchanges });
}
