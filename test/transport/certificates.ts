import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway CA and a server certificate it signed, made with the `openssl` binary. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  caPem: string;
  key: string;
  cert: string;
  cleanup(): void;
}

/**
 * Generates, at test time, a CA and a server certificate for `localhost`, `127.0.0.1` and
 * `msx.example.test` (P-256 keys: fast). Nothing is committed, nothing outlives the test run.
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "passgrant-tls-"));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=passgrant throwaway test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(
    path("server.ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:msx.example.test",
    ].join("\n"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "server.ext",
  );
  return {
    dir,
    caFile: path("ca.pem"),
    caPem: readFileSync(path("ca.pem"), "utf8"),
    key: readFileSync(path("server.key"), "utf8"),
    cert: readFileSync(path("server.pem"), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A TLS client certificate (RFC 8705) and its key, as files and as PEM text. */
export interface TestClientCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** The certificate's DER, base64url SHA-256: what `cnf.x5t#S256` binds a token to (RFC 8705 §3.1). */
  thumbprint: string;
}

/**
 * Mints a client certificate (extendedKeyUsage clientAuth, subject `CN=<commonName>`) signed by
 * `certs`'s CA, or self-signed (RFC 8705 §2.2) with `selfSigned`. Files land in `certs.dir`.
 */
export function makeClientCertificate(
  certs: TestCertificates,
  commonName: string,
  options: { selfSigned?: boolean } = {},
): TestClientCertificate {
  const path = (name: string) => join(certs.dir, name);
  const openssl = (...args: string[]) =>
    execFileSync("openssl", args, { cwd: certs.dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const base = commonName.replace(/[^A-Za-z0-9-]/g, "_");
  writeFileSync(
    path(`${base}.ext`),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ].join("\n"),
  );
  if (options.selfSigned) {
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      "extendedKeyUsage=clientAuth",
    );
  } else {
    openssl(
      "req",
      ...ec,
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.csr`,
      "-subj",
      `/CN=${commonName}`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${base}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${base}.pem`,
      "-days",
      "2",
      "-extfile",
      `${base}.ext`,
    );
  }
  const cert = readFileSync(path(`${base}.pem`), "utf8");
  return {
    certFile: path(`${base}.pem`),
    keyFile: path(`${base}.key`),
    cert,
    key: readFileSync(path(`${base}.key`), "utf8"),
    thumbprint: createHash("sha256").update(new X509Certificate(cert).raw).digest("base64url"),
  };
}
