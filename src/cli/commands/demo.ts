import { randomUUID } from "node:crypto";
import type { components } from "../../../generated/msx.js";
import {
  hasPlatformConfig,
  loadPlatformConfig,
  type PlatformConfig,
  type PlatformVariable,
} from "../../config/index.js";
import { PassgrantError } from "../../errors.js";
import type { Sandbox } from "../../sandbox/server.js";
import { HttpError } from "../../transport/errors.js";
import { abortable } from "../abortable.js";
import { expectData, tenantPageShape, tenantShape } from "../api-result.js";
import { parseCommandArgs } from "../args.js";
import { demoOptions } from "../command-options.js";
import type { Command, CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { openSession, type PlatformSession } from "../session.js";
import { tenantLine } from "../tenant-output.js";
import { terminalSafe, terminalSafeJson } from "../terminal-text.js";

type Tenant = components["schemas"]["Tenant"];
type TenantCreate = components["schemas"]["TenantCreate"];

const help = `Usage: passgrant demo [--json] [--verbose] [--dotenv FILE]

Runs the MSX password-grant guide's flow: get an access token with the password grant (client
id and secret in a Basic header), create a tenant with a unique name, list tenant page 0 (page
size 100), delete the tenant. Each step is printed as the guide prints it.

With no platform configured (MSX_BASE_URL and credentials unset), the demo starts the embedded
sandbox on a free loopback port and runs against it. Otherwise it uses MSX_* from the environment
or .env (see \`passgrant --help\`).

The tenant the demo creates is always deleted: when a later step fails, and on Ctrl-C or SIGTERM
(a second Ctrl-C gives up the cleanup and names the tenant to delete by hand).

Options:
  --json         print one JSON result object instead of the step lines
  -v, --verbose  log each request (method, redacted URL, status, time) to stderr
  --dotenv F     read F instead of ./.env (or set PASSGRANT_ENV_FILE)
  --profile P    use profile P of the config file (or PASSGRANT_PROFILE)
  -h, --help     show this help

Exit codes: 0 done, 2 configuration, 3 token refused, 4 API error, 5 network/TLS/timeout,
130 interrupted (SIGINT), 143 terminated (SIGTERM), 1 unexpected.`;

/** The demo's result, as `--json` prints it. */
interface DemoResult {
  ok: boolean;
  platform: { url: string; sandbox: boolean };
  tenant: { id: string; name: string } | null;
  tenants: Array<{ id: string; name: string }>;
  deleted: boolean;
  error?: { code: string; message: string };
}

export const demoCommand: Command = {
  name: "demo",
  async run(args, context) {
    const { values } = parseCommandArgs("demo", args, demoOptions);
    if (values.help) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    const log = createLogger(context, values.verbose === true);
    const env = commandEnvironment(context, values);
    const onSandbox = !hasPlatformConfig(env);

    let sandbox: Sandbox | undefined;
    try {
      let config: PlatformConfig;
      if (onSandbox) {
        // Loaded only here: against a configured platform the demo never loads the sandbox (the
        // spec validator, ajv and yaml: most of the executable's code).
        const { startSandbox } = await import("../../sandbox/server.js");
        sandbox = await startSandbox({ host: "127.0.0.1", port: 0 });
        // The sandbox supplies only the platform and its credentials: the other variables are the
        // user's (a timeout, a CA file), so they are validated and applied as on a real platform.
        config = loadPlatformConfig({ ...env, ...sandboxVariables(sandbox) });
        log.info(
          `no platform configured (MSX_BASE_URL is not set): running against the embedded sandbox at ${sandbox.url}`,
        );
      } else {
        config = await resolvePlatform(context, log, {
          command: "demo",
          dotenv: values,
          needsUser: true,
        });
      }
      const session = openSession(config, log);
      try {
        const { result, failure } = await runSteps(session, context, log, values.json === true);
        result.platform = { url: config.baseUrl ?? "", sandbox: onSandbox };
        if (values.json) context.stdout.write(`${terminalSafeJson(result)}\n`);
        // The top-level handler prints the message and picks the exit code.
        if (failure !== undefined) throw failure;
        return ExitCode.ok;
      } finally {
        await session.close().catch(() => {});
      }
    } finally {
      await sandbox?.close().catch(() => {});
    }
  },
};

/** The MSX_* variables that point at the embedded sandbox with its default credentials. */
function sandboxVariables(sandbox: Sandbox): Record<PlatformVariable, string> {
  return {
    MSX_BASE_URL: sandbox.url,
    MSX_TOKEN_URL: `${sandbox.url}/idm/v2/token`,
    MSX_CLIENT_ID: sandbox.clientId,
    MSX_CLIENT_SECRET: sandbox.clientSecret,
    MSX_USERNAME: sandbox.username,
    MSX_PASSWORD: sandbox.password,
  };
}

/**
 * The guide's steps. Failures are caught here rather than thrown, so the tenant can be deleted
 * and the result still reports what happened; the caller turns `error` into the exit code.
 */
async function runSteps(
  session: PlatformSession,
  context: CommandContext,
  log: Logger,
  json: boolean,
): Promise<{ result: DemoResult; failure?: unknown }> {
  const { client, provider } = session;
  const { signal } = context;
  const say = (line: string) => {
    if (!json) context.stdout.write(`${line}\n`);
  };
  const result: DemoResult = {
    ok: false,
    platform: { url: session.config.baseUrl ?? "", sandbox: false },
    tenant: null,
    tenants: [],
    deleted: false,
  };
  const name = `passgrant_demo_${randomUUID()}`;
  let createdId: string | undefined;
  /** The create request went out; without an answer, the tenant may exist all the same. */
  let createSent = false;
  let failure: unknown;

  try {
    const accessToken = await abortable(provider.getAccessToken(), signal);
    log.addSecret(accessToken);
    say("Got Access Token");

    const body: TenantCreate = {
      name,
      description: "Nobody reaches anywhere by believing. --Osho",
      email: "test@example.com",
      url: "https://cisco.com",
    };
    // Not aborted on Ctrl-C: whether the tenant exists must be known to clean it up. A second
    // Ctrl-C still ends the process, naming the tenant.
    context.setPendingCleanup(`a tenant named ${name} may have been created; delete it by hand`);
    createSent = true;
    const created: Tenant = expectData(
      await client.POST("/idm/api/v8/tenants", { body }),
      "POST",
      tenantShape,
    );
    createdId = created.id;
    result.tenant = { id: created.id, name: created.name };
    context.setPendingCleanup(
      `tenant ${created.id} was not deleted; delete it with: passgrant tenants delete ${created.id}`,
    );
    say(`Created Tenant: ${terminalSafe(created.id)}`);
    if (signal.aborted) throw signal.reason;

    const page = expectData(
      await client.GET("/idm/api/v8/tenants", {
        params: { query: { page: 0, pageSize: 100 } },
        signal,
      }),
      "GET",
      tenantPageShape,
    );
    say("Got Tenants Page");
    result.tenants = page.contents.map((t) => ({ id: t.id, name: t.name }));
    for (const tenant of page.contents) say(tenantLine(tenant));

    expectData(
      await client.DELETE("/idm/api/v8/tenants/{id}", {
        params: { path: { id: created.id } },
        signal,
      }),
      "DELETE",
    );
    result.deleted = true;
    context.setPendingCleanup(undefined);
    say(`Deleted Tenant: ${terminalSafe(created.id)}`);
  } catch (error) {
    failure = error;
  }

  if (failure === undefined) return { result: { ...result, ok: true } };

  if (createdId !== undefined && !result.deleted) {
    // Not the error itself: the top-level handler prints it once, after the cleanup.
    log.info(`deleting the tenant the demo created (${createdId}) before exiting`);
    result.deleted = await deleteTenant(session, createdId, log);
    if (result.deleted) {
      context.setPendingCleanup(undefined);
      say(`Deleted Tenant: ${terminalSafe(createdId)}`);
    }
  } else if (createSent && createdId === undefined && !isHttpAnswer(failure)) {
    // No answer to the create (timeout, dropped connection): the platform may have created it.
    log.info(
      `the create request got no answer, so a tenant named ${name} may exist; find it with \`passgrant tenants list --all | grep ${name}\` and delete it`,
    );
  }
  result.error = {
    code: failure instanceof PassgrantError ? failure.code : "ERR_UNEXPECTED",
    message: failure instanceof PassgrantError ? failure.message : "unexpected error",
  };
  return { result, failure };
}

/** The platform answered (with an error status): the request's outcome is known. */
function isHttpAnswer(error: unknown): boolean {
  return error instanceof PassgrantError && error.code === "ERR_HTTP";
}

/** The cleanup delete: not tied to the interrupted signal, bounded by the configured timeout. */
async function deleteTenant(session: PlatformSession, id: string, log: Logger): Promise<boolean> {
  try {
    expectData(
      await session.client.DELETE("/idm/api/v8/tenants/{id}", {
        params: { path: { id } },
        signal: AbortSignal.timeout(session.config.timeoutMs),
      }),
      "DELETE",
    );
    return true;
  } catch (error) {
    // The interrupted DELETE may have reached the platform before its answer was lost.
    if (error instanceof HttpError && error.status === 404) {
      log.info(`tenant ${id} is already gone`);
      return true;
    }
    const why = error instanceof PassgrantError ? error.message : String(error);
    log.info(
      `could not delete tenant ${id} (${why}). Delete it yourself: passgrant tenants delete ${id}`,
    );
    return false;
  }
}
