import { describe, expect, it } from "vitest";
import { CLIENT_AUTH_METHODS } from "../../src/auth/client-auth.js";
import { inCliWords, messageForCli } from "../../src/cli/advice.js";
import { configVariables } from "../../src/config/variables.js";
import { ConfigError } from "../../src/errors.js";
import { ResponseTooLargeError } from "../../src/transport/response-too-large-error.js";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { TlsError } from "../../src/transport/tls-error.js";
import { resolveTlsOptions } from "../../src/transport/tls-options.js";
import { INSECURE_TLS_WARNING } from "../../src/transport/transport.js";

// Core errors name options (`timeoutMs`); the CLI says the variable its user sets instead.
describe("core advice in the CLI's words", () => {
  const target = { method: "GET", url: "https://msx.example.com/idm/api/v8/tenants" };

  it.each([
    [new TimeoutError({ ...target, timeoutMs: 5 }), "`timeoutMs`", "raise MSX_TIMEOUT_MS."],
    [new TlsError({ ...target, reason: "unknown CA" }), "`caFile`", "as MSX_CA_FILE"],
    [
      new ResponseTooLargeError({ ...target, maxBytes: 1024 }),
      "`maxResponseBytes`",
      "raise MSX_MAX_RESPONSE_BYTES",
    ],
  ])("%s", (error, option, cliWords) => {
    expect(error.message).toContain(option);
    expect(error.message).not.toContain("MSX_");
    expect(messageForCli(error)).toContain(cliWords);
    expect(messageForCli(error)).not.toContain(option);
  });

  it("TLS advice names both the CA file and the last resort", () => {
    const message = messageForCli(new TlsError({ ...target, reason: "unknown CA" }));
    expect(message).toContain("MSX_CA_FILE");
    expect(message).toContain("(MSX_INSECURE_TLS)");
  });

  it("a transport ConfigError about caFile names MSX_CA_FILE", () => {
    let error: unknown;
    try {
      resolveTlsOptions({ caFile: "/nonexistent/passgrant-ca.pem" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain("MSX_");
    expect(messageForCli(error as Error)).toMatch(
      /^MSX_CA_FILE "\/nonexistent.*Point MSX_CA_FILE at/,
    );
  });

  it("the insecure-TLS warning", () => {
    expect(INSECURE_TLS_WARNING).not.toContain("MSX_");
    expect(inCliWords(INSECURE_TLS_WARNING)).toContain("(MSX_INSECURE_TLS)");
    expect(inCliWords(INSECURE_TLS_WARNING)).toContain("Use MSX_CA_FILE with");
  });

  it("--help's MSX_CLIENT_AUTH line lists every client authentication method", () => {
    for (const method of CLIENT_AUTH_METHODS) {
      expect(configVariables.MSX_CLIENT_AUTH.summary).toContain(method);
    }
  });
});
