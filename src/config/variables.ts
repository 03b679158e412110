import { CLIENT_AUTH_METHODS } from "../auth/client-auth.js";

/**
 * The MSX_* variables passgrant reads, described once: the schema's error messages, `--help` and
 * `.env.example` all say the same thing about each.
 */
export const configVariables = {
  MSX_BASE_URL: {
    summary: "The platform's root URL. Unset: `passgrant demo` uses the embedded sandbox.",
    example: "https://msx.example.com",
  },
  MSX_TOKEN_URL: {
    summary: "The OAuth2 token endpoint. Default: $MSX_BASE_URL/idm/v2/token.",
    example: "https://msx.example.com/idm/v2/token",
  },
  MSX_ISSUER: {
    summary:
      "Optional issuer: its metadata (RFC 8414 or OpenID discovery) names the token and device endpoints. MSX_TOKEN_URL still wins.",
    example: "https://login.example.com",
  },
  MSX_CLIENT_ID: {
    summary: "The security client's id.",
    example: "my-test-private-client",
  },
  MSX_CLIENT_SECRET: {
    summary: "The security client's secret (or a no-echo prompt on a terminal).",
    example: "<the client secret>",
  },
  MSX_CLIENT_AUTH: {
    summary: `Client authentication: ${CLIENT_AUTH_METHODS.map((method, i) => (i === 0 ? `${method} (default; RFC 6749 §2.3.1)` : method)).join(", ")}.`,
    example: "basic",
  },
  MSX_CLIENT_KEY_FILE: {
    summary:
      "PEM file of the client's private key for MSX_CLIENT_AUTH=private_key_jwt (RFC 7523; the default when set).",
    example: "./client-key.pem",
  },
  MSX_CLIENT_CERT_FILE: {
    summary:
      "PEM file of a TLS client certificate, sent to the token endpoint and the API (RFC 8705; MSX_CLIENT_AUTH=tls_client_auth to authenticate with it).",
    example: "./client-cert.pem",
  },
  MSX_CLIENT_CERT_KEY_FILE: {
    summary:
      "PEM file of MSX_CLIENT_CERT_FILE's private key (default: a key in the certificate file itself).",
    example: "./client-cert-key.pem",
  },
  MSX_USERNAME: {
    summary: "The user for the password grant.",
    example: "superuser",
  },
  MSX_PASSWORD: {
    summary: "The user's password (or --password-stdin, or a no-echo prompt on a terminal).",
    example: "<the password>",
  },
  MSX_SCOPE: {
    summary: "Optional space-separated scopes to request.",
    example: "read write",
  },
  MSX_CA_FILE: {
    summary: "Optional PEM file with the CA that signed the platform's certificate.",
    example: "./lab-ca.pem",
  },
  MSX_INSECURE_TLS: {
    summary: "Last resort: true skips TLS verification (passgrant's requests only; warned).",
    example: "false",
  },
  MSX_TIMEOUT_MS: {
    summary: "Per-request timeout in milliseconds. Default: 30000.",
    example: "30000",
  },
  MSX_RETRIES: {
    summary:
      "Retries of an API call on 429/502/503/504 or a lost connection (0: never). Default: 2.",
    example: "2",
  },
  MSX_MAX_RESPONSE_BYTES: {
    summary:
      "The most read of one API response, in bytes, decompressed. Default: 16777216 (16 MiB).",
    example: "16777216",
  },
} as const;

export type ConfigVariable = keyof typeof configVariables;

/** The variables that point passgrant at a platform; with none of them set, the demo uses the sandbox. */
export const platformVariables = [
  "MSX_BASE_URL",
  "MSX_TOKEN_URL",
  "MSX_CLIENT_ID",
  "MSX_CLIENT_SECRET",
  "MSX_USERNAME",
  "MSX_PASSWORD",
] as const satisfies readonly ConfigVariable[];

export type PlatformVariable = (typeof platformVariables)[number];

/** The variable each library option is read from (one table for the CLI and `createSession`). */
export const optionVariableNames = {
  baseUrl: "MSX_BASE_URL",
  tokenUrl: "MSX_TOKEN_URL",
  issuer: "MSX_ISSUER",
  clientId: "MSX_CLIENT_ID",
  clientSecret: "MSX_CLIENT_SECRET",
  clientAuth: "MSX_CLIENT_AUTH",
  clientAssertionKeyFile: "MSX_CLIENT_KEY_FILE",
  clientCertFile: "MSX_CLIENT_CERT_FILE",
  clientCertKeyFile: "MSX_CLIENT_CERT_KEY_FILE",
  username: "MSX_USERNAME",
  password: "MSX_PASSWORD",
  scope: "MSX_SCOPE",
  caFile: "MSX_CA_FILE",
  insecureTls: "MSX_INSECURE_TLS",
  timeoutMs: "MSX_TIMEOUT_MS",
  retries: "MSX_RETRIES",
  maxResponseBytes: "MSX_MAX_RESPONSE_BYTES",
} as const satisfies Readonly<Record<string, ConfigVariable>>;

/**
 * The library's option names in the CLI's words, for advice the core words in option names
 * (core code never names MSX_* variables). A token URL that is not set comes from the base URL,
 * so advice about `tokenUrl` names both.
 */
export const optionVariables: Readonly<Record<string, string>> = {
  ...optionVariableNames,
  tokenUrl: "MSX_TOKEN_URL (or MSX_BASE_URL, which it defaults from, or MSX_ISSUER)",
  // The CLI reads keys and certificates from files only.
  clientAssertionKey: "MSX_CLIENT_KEY_FILE",
  clientCert: "MSX_CLIENT_CERT_FILE",
  clientCertKey: "MSX_CLIENT_CERT_KEY_FILE",
  // The CLI has no variables of their own: the issuer's metadata names these endpoints.
  revocationUrl: "MSX_ISSUER (its metadata names the revocation endpoint)",
  introspectionUrl: "MSX_ISSUER (its metadata names the introspection endpoint)",
};
