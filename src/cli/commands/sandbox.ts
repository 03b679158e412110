// The sandbox's modules, not its entry point: the executable bundles the sandbox's packages, so
// it skips the entry's check that they are installed.

import { isWildcardAddress } from "../../sandbox/listen-address.js";
import { SANDBOX_DEFAULTS, type SandboxOptions } from "../../sandbox/options.js";
import { startSandbox } from "../../sandbox/server.js";
import { isLoopbackHost } from "../../transport/loopback.js";
import { integerOption, parseCommandArgs } from "../args.js";
import { sandboxOptions } from "../command-options.js";
import type { Command } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { commandEnvironment } from "../platform.js";

const help = `Usage: passgrant sandbox [--port N] [--host ADDRESS] [--json]

Runs the embedded MSX-compatible sandbox (token endpoint and tenant API, real HTTP) until Ctrl-C
or SIGTERM, then closes it cleanly and exits 0. Prints its URL and its credentials; point
MSX_BASE_URL, MSX_CLIENT_ID, MSX_CLIENT_SECRET, MSX_USERNAME and MSX_PASSWORD at them to try
the other commands against it. Credentials can be set with PASSGRANT_SANDBOX_CLIENT_ID,
PASSGRANT_SANDBOX_CLIENT_SECRET, PASSGRANT_SANDBOX_USERNAME and PASSGRANT_SANDBOX_PASSWORD
(environment or .env).

Options:
  --port N        the port (default 0: a free port)
  --host ADDRESS  the address to listen on (default 127.0.0.1; the sandbox's credentials are
                  well known, so anything but loopback is warned about). With 0.0.0.0 or ::
                  (all interfaces) the printed URL names loopback (127.0.0.1 or [::1])
  --json          print one JSON line: {"url","clientId","clientSecret","username","password"}
  -v, --verbose   log each request the sandbox serves to stderr (secrets redacted)
  --dotenv F      read F instead of ./.env (or set PASSGRANT_ENV_FILE)
  -h, --help      show this help`;

export const sandboxCommand: Command = {
  name: "sandbox",
  async run(args, context) {
    const { values } = parseCommandArgs("sandbox", args, sandboxOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const log = createLogger(context, values.verbose === true);
    const port = integerOption("sandbox", "port", values.port, { min: 0, max: 65_535 }) ?? 0;
    const host = values.host ?? "127.0.0.1";
    if (isWildcardAddress(host)) {
      log.warn(
        `listening on ${host}, every network interface of this machine: anyone who can reach it can use the sandbox's well-known credentials; use --host 127.0.0.1 unless another machine or a container must reach it`,
      );
    } else if (!isLoopbackHost(host)) {
      log.warn(
        `listening on ${host}: anyone who can reach it can use the sandbox's well-known credentials`,
      );
    }
    const sandbox = await startSandbox({
      port,
      host,
      ...credentialsFrom(commandEnvironment(context, values)),
      ...(values.verbose ? { log: (line: string) => log.debug(line) } : {}),
    });
    const details = {
      url: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      username: sandbox.username,
      password: sandbox.password,
    };
    if (values.json) {
      context.stdout.write(`${JSON.stringify(details)}\n`);
    } else {
      context.stdout.write(
        [
          `Sandbox listening at ${sandbox.url} (Ctrl-C to stop)`,
          "",
          "Use it from another terminal:",
          `  export MSX_BASE_URL=${details.url}`,
          `  export MSX_CLIENT_ID=${details.clientId}`,
          `  export MSX_CLIENT_SECRET=${details.clientSecret}`,
          `  export MSX_USERNAME=${details.username}`,
          `  export MSX_PASSWORD=${details.password}`,
          "",
        ].join("\n"),
      );
    }
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await sandbox.close();
    log.info(`sandbox stopped (${context.interruptedBy() ?? "signal"})`);
    return ExitCode.ok;
  },
};

/**
 * PASSGRANT_SANDBOX_* from the environment or .env. The sandbox reads the real environment by
 * itself; .env values live only in the CLI's copy, so they are handed over as options.
 */
function credentialsFrom(
  env: Readonly<Record<string, string | undefined>>,
): Pick<SandboxOptions, "clients" | "users"> {
  const value = (name: string, fallback: string) => env[`PASSGRANT_SANDBOX_${name}`] || fallback;
  return {
    clients: [
      {
        clientId: value("CLIENT_ID", SANDBOX_DEFAULTS.clientId),
        clientSecret: value("CLIENT_SECRET", SANDBOX_DEFAULTS.clientSecret),
      },
    ],
    users: [
      {
        username: value("USERNAME", SANDBOX_DEFAULTS.username),
        password: value("PASSWORD", SANDBOX_DEFAULTS.password),
      },
    ],
  };
}
