import type { X509Certificate } from "node:crypto";
import { ConfigError } from "../errors.js";
import { nodeCrypto } from "../lazy-builtins.js";
import { parsePrivateKey, readPemFile } from "./pem-files.js";

/** The TLS client certificate options (a subset of `TransportOptions`). */
export interface ClientCertificateOptions {
  clientCertFile?: string | undefined;
  clientCert?: string | Buffer | undefined;
  clientCertKeyFile?: string | undefined;
  clientCertKey?: string | Buffer | undefined;
}

/** What undici's `connect` takes for mutual TLS: the certificate chain and its key, in PEM. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/**
 * The client certificate for mutual TLS (RFC 8705 §2), read and checked once, when the transport
 * is made: a PEM certificate (a chain may follow it), and its private key from
 * `clientCertKeyFile`/`clientCertKey` or, when neither is given, from the certificate's own file
 * (a combined PEM). The key must be the certificate's: a mismatch would otherwise surface as a
 * handshake failure saying nothing of which file is wrong. Undefined when no certificate is set.
 */
export function resolveClientCertificate(
  options: ClientCertificateOptions,
): ClientCertificate | undefined {
  const keyGiven = options.clientCertKey !== undefined || options.clientCertKeyFile !== undefined;
  if (options.clientCert === undefined && options.clientCertFile === undefined) {
    if (keyGiven) {
      throw new ConfigError(
        "`clientCertKeyFile` is set without `clientCertFile`: give the certificate too.",
      );
    }
    return undefined;
  }
  const certWhere =
    options.clientCert !== undefined
      ? "`clientCert`"
      : `\`clientCertFile\` ${JSON.stringify(options.clientCertFile)}`;
  const certText =
    options.clientCert !== undefined
      ? String(options.clientCert)
      : readPemFile(String(options.clientCertFile), "clientCertFile");
  let certificate: X509Certificate;
  try {
    if (!certText.includes("-----BEGIN CERTIFICATE-----")) throw new Error();
    certificate = new (nodeCrypto().X509Certificate)(certText);
  } catch {
    throw new ConfigError(
      `${certWhere} is not a PEM certificate: expected a -----BEGIN CERTIFICATE----- block (convert a DER file with \`openssl x509 -inform der -in cert.der -out cert.pem\`; a PKCS#12 file with \`openssl pkcs12 -in client.p12 -out client.pem -nodes\`).`,
    );
  }
  let keyText: string;
  let keyWhere: string;
  if (options.clientCertKey !== undefined) {
    keyText = String(options.clientCertKey);
    keyWhere = "`clientCertKey`";
  } else if (options.clientCertKeyFile !== undefined) {
    keyText = readPemFile(options.clientCertKeyFile, "clientCertKeyFile");
    keyWhere = `\`clientCertKeyFile\` ${JSON.stringify(options.clientCertKeyFile)}`;
  } else if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certText)) {
    keyText = certText;
    keyWhere = certWhere;
  } else {
    throw new ConfigError(
      `${certWhere} holds no private key: set \`clientCertKeyFile\` to the PEM file of the certificate's key.`,
    );
  }
  const key = parsePrivateKey(keyText, keyWhere);
  if (!certificate.checkPrivateKey(key)) {
    throw new ConfigError(
      `${keyWhere} is not the key of ${certWhere} (${certificate.subject.replace(/\n/g, ", ")}): give the private key that belongs to this certificate.`,
    );
  }
  return {
    // The certificate blocks only (a combined file's key stays out of `cert`).
    cert: (
      certText.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
    ).join("\n"),
    key: key.export({ type: "pkcs8", format: "pem" }) as string,
  };
}
