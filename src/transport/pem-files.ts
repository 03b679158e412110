import type { KeyObject } from "node:crypto";
import { ConfigError } from "../errors.js";
import { nodeCrypto } from "../lazy-builtins.js";
import { readNamedFile } from "../private-file.js";

/**
 * The most read of a key or certificate file. A PEM key or a short chain is a few KiB; a path
 * pointing at something else (a log, `/dev/zero`) fails here, not after filling memory.
 */
export const MAX_PEM_FILE_BYTES = 256 * 1024;

/**
 * Reads a PEM file named by `option` through the one reader of files others may have put in the
 * way (`readRegularFile`: never blocks on a FIFO, a regular file checked on the descriptor, at
 * most {@link MAX_PEM_FILE_BYTES}). Symbolic links are followed: mounted secrets use them. Each
 * failure is a `ConfigError` naming the option, the path and what to do; none quotes the content.
 */
export function readPemFile(path: string, option: string): string {
  const where = `\`${option}\` ${JSON.stringify(path)}`;
  return readNamedFile(path, MAX_PEM_FILE_BYTES, (problem, detail) => {
    switch (problem) {
      case "missing":
        return new ConfigError(`${where} does not exist. Point \`${option}\` at a PEM file.`);
      case "not-a-file":
        return new ConfigError(
          `${where} is ${detail}, not a regular file. Point \`${option}\` at a PEM file.`,
        );
      case "too-large":
        return new ConfigError(
          `${where} is larger than ${MAX_PEM_FILE_BYTES} bytes: not a PEM key or certificate. Point \`${option}\` at the PEM file itself.`,
        );
      case "io":
        return new ConfigError(
          `${where} cannot be read (${detail}). Point \`${option}\` at a PEM file you can read.`,
        );
    }
  });
}

/**
 * Parses an unencrypted private key: PKCS#8 (`BEGIN PRIVATE KEY`), and also what jose's
 * `importPKCS8` refuses but Node reads, PKCS#1 RSA (`BEGIN RSA PRIVATE KEY`) and SEC1 EC
 * (`BEGIN EC PRIVATE KEY`). `what` names where it came from. The error says which kind of PEM was
 * found instead (a certificate, a public key, an encrypted key) and never quotes the text.
 */
export function parsePrivateKey(pem: string | Buffer | KeyObject, what: string): KeyObject {
  if (typeof pem === "object" && !Buffer.isBuffer(pem)) {
    if (pem.type !== "private") {
      throw new ConfigError(`${what} is a ${pem.type} key: pass the private key.`);
    }
    return pem;
  }
  const text = String(pem);
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
  const keyLabel = labels.find((label) => label?.endsWith("PRIVATE KEY"));
  if (keyLabel === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new ConfigError(
      `${what} is an encrypted private key; passgrant reads unencrypted ones. Decrypt it into a file only you can read: \`openssl pkey -in key.pem -out key-plain.pem\`, then \`chmod 600 key-plain.pem\`.`,
    );
  }
  if (!keyLabel) {
    const found = labels.length > 0 ? `a PEM ${labels[0]}` : "no PEM block";
    throw new ConfigError(
      `${what} holds ${found}, not a private key: expected -----BEGIN PRIVATE KEY----- (PKCS#8), -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----.`,
    );
  }
  try {
    return nodeCrypto().createPrivateKey({ key: text, format: "pem" });
  } catch {
    // Node's message may describe the key's bytes; say only what is wrong.
    throw new ConfigError(
      `${what} has a ${keyLabel} block that cannot be read as a private key (damaged or truncated). Export the key again as PKCS#8: \`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem\`.`,
    );
  }
}

/**
 * The strings a PEM text would appear as if a server echoed it (the whole text, and its base64
 * body joined): for redaction.
 */
export function pemSecrets(pem: string): string[] {
  const body = pem
    .replace(/-----(?:BEGIN|END) [A-Z0-9 ]+-----/g, "")
    .replace(/^[A-Za-z-]+:.*$/gm, "")
    .replace(/\s+/g, "");
  return [pem.trim(), ...(body.length >= 16 ? [body] : [])];
}
