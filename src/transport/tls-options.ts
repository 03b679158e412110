import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { nodeCrypto, nodeTls } from "../lazy-builtins.js";
import { type ClientCertificateOptions, resolveClientCertificate } from "./client-certificate.js";

/** The TLS settings passgrant's own dispatcher connects with. */
export interface TlsConnectOptions {
  ca?: string[];
  rejectUnauthorized?: false;
  /** The client certificate (chain) and its key, for mutual TLS (RFC 8705). */
  cert?: string;
  key?: string;
}

/**
 * Builds the connect options from `caFile`/`ca` and `insecureTls`. A custom CA is added to
 * Node's bundled roots rather than replacing them (`ca` in `tls.connect` replaces the default
 * trust), so public hosts keep working next to a lab CA.
 */
export function resolveTlsOptions(
  options: {
    caFile?: string;
    ca?: string | Buffer;
    insecureTls?: boolean;
  } & ClientCertificateOptions,
): TlsConnectOptions {
  const custom: string[] = [];
  if (options.caFile !== undefined) custom.push(readCaFile(options.caFile));
  if (options.ca !== undefined) custom.push(checkPem(String(options.ca), "ca"));
  const tls: TlsConnectOptions = {};
  if (custom.length > 0) tls.ca = [...nodeTls().rootCertificates, ...custom];
  if (options.insecureTls === true) tls.rejectUnauthorized = false;
  const client = resolveClientCertificate(options);
  if (client) Object.assign(tls, client);
  return tls;
}

function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new ConfigError(
      `\`caFile\` ${JSON.stringify(path)} cannot be read (${code}). Point \`caFile\` at ` +
        "the PEM file of the CA that signed the server's certificate.",
    );
  }
  return checkPem(text, `\`caFile\` ${JSON.stringify(path)}`);
}

function checkPem(text: string, what: string): string {
  const invalid = new ConfigError(
    `${what} is not a PEM certificate: expected text with -----BEGIN CERTIFICATE----- blocks ` +
      "(convert a DER file with `openssl x509 -inform der -in ca.der -out ca.pem`).",
  );
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw invalid;
  try {
    new (nodeCrypto().X509Certificate)(text);
  } catch {
    throw invalid;
  }
  return text;
}
