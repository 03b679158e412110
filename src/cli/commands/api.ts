import { resolve } from "node:path";
import { loadTransportSettings } from "../../config/index.js";
import type { SpecDocument } from "../../spec/document.js";
import { httpErrorFromResponse } from "../../transport/response-body.js";
import { abortable } from "../abortable.js";
import { describeOperation, listOperations } from "../api-help.js";
import { describeResponse, readBody } from "../api-io.js";
import {
  type ApiOperation,
  apiOperation,
  matchOperation,
  type ParameterValues,
  parameterValues,
  splitParams,
} from "../api-operation.js";
import { parseCommandArgs, UsageError } from "../args.js";
import { cacheFor } from "../cache-option.js";
import { apiOptions } from "../command-options.js";
import type { Command, CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { cliSecrets, createLogger, type Logger } from "../logger.js";
import { commandEnvironment, type DotenvValues, resolvePlatform } from "../platform.js";
import { openApiSession, openTransport } from "../session.js";
import { terminalSafeJson } from "../terminal-text.js";
import { writeDrained } from "../write-drained.js";

const help = `Usage: passgrant api OPERATION_ID [options]
       passgrant api METHOD PATH [options]
       passgrant api --list [--spec FILE_OR_URL]
       passgrant api OPERATION_ID --help

Calls any operation of the spec (default: the bundled MSX spec) and prints the response body
as JSON on stdout: indented on a terminal, compact otherwise. Arguments are checked against the
spec before anything is sent or any password is asked (exit 2 when they break it).

Options:
  -p, --param NAME=VALUE  a path, query or header parameter; repeat it for an array
                          (values become the parameter's type: integer, number, boolean)
  --body JSON             the JSON request body; --body @FILE reads FILE, --body - stdin
  --spec FILE_OR_URL      the OpenAPI 3 document (default: the profile's spec, else MSX's)
  --include               the response's status line and headers on stderr (credentials redacted)
  --paginate              follow every page; one JSON value (an item) per line as pages arrive
  --query EXPR            print only what the JMESPath expression EXPR selects (as az --query)
  --list                  list the spec's operations: id, method, path, summary
  --password-stdin        read the password from standard input
  --cache [--cache-file PATH]  reuse a cached token (see passgrant token --help)
  -v, --verbose           log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE           read FILE instead of ./.env
  --profile NAME          use the config file's profile NAME (or set PASSGRANT_PROFILE)
  -h, --help              this help; with OPERATION_ID, the operation's parameters and body

METHOD PATH sends a request the spec lacks: PATH is a template (/things/{id} with -p id=…) or
a literal path; other -p parameters go to the query string. A METHOD PATH the spec describes is
checked like its operation.

Exit codes: 0 done, 2 usage (an argument the spec refuses), 3 token refused, 4 API error
(HTTP error status), 5 network/TLS/timeout, 6 token cache unusable, 130/143 interrupted.`;

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** What is sent: an operation of the spec, or a request the spec lacks. */
type Target =
  | { kind: "operation"; operation: ApiOperation; init: ParameterValues & { body?: unknown } }
  | {
      kind: "raw";
      method: string;
      path: string;
      init: ParameterValues & { body?: unknown };
    };

export const apiCommand: Command = {
  name: "api",
  async run(args, context) {
    const { values, positionals } = parseCommandArgs("api", args, apiOptions, true);
    if (values.help && positionals.length === 0) {
      context.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    if (!values.list && positionals.length === 0) {
      context.stderr.write(`${help}\n`);
      throw new UsageError("Name an operation id (see --list), or METHOD PATH.", "api");
    }
    const log = createLogger(context, values.verbose === true);
    // --spec, else the profile's spec (a path already resolved against the config file), else MSX's.
    const spec = values.spec ?? context.profile?.()?.options.spec;
    const document = await loadApiSpec(spec, values, context, log);
    if (values.list) {
      if (positionals.length > 0) {
        throw new UsageError("--list takes no operation.", "api");
      }
      context.stdout.write(listOperations(document));
      return ExitCode.ok;
    }
    if (values.help) {
      const [operationId, path] = positionals;
      const operation =
        path !== undefined && METHODS.includes(operationId?.toUpperCase() ?? "")
          ? matchOperation(document, operationId?.toUpperCase() ?? "", path)?.operation
          : apiOperation(document, operationId ?? "");
      if (!operation)
        throw new UsageError(`The spec does not describe ${operationId} ${path}.`, "api");
      context.stdout.write(describeOperation(document, operation));
      return ExitCode.ok;
    }
    if (values.include && values.paginate) {
      throw new UsageError(
        "--include shows one response; it does not combine with --paginate.",
        "api",
      );
    }
    // Everything is checked before signing in: a mistake costs no prompt, no grant, no request.
    const body = values.body === undefined ? undefined : await readBody(values.body, context);
    const target = targetOf(document, positionals, values.param ?? [], body);
    const { check } = await loadChecks(document);
    if (target.kind === "operation") {
      const { operation, init } = target;
      if (operation.bodyRequired && init.body === undefined) {
        throw new UsageError(
          `${operation.operationId} needs a request body: --body JSON, --body @FILE or --body -.`,
          `api ${operation.operationId}`,
        );
      }
      if (operation.requestMediaTypes.length === 0 && init.body !== undefined) {
        throw new UsageError(
          `${operation.operationId} takes no request body.`,
          `api ${operation.operationId}`,
        );
      }
      await check(operation.operationId, {
        method: operation.method,
        path: operation.path,
        init: init as Record<string, unknown>,
      });
    }
    const select = values.query === undefined ? undefined : await compileQuery(values.query);

    // `security: []`: sent without credentials, so none is required or asked for.
    const anonymous = target.kind === "operation" && target.operation.anonymous;
    const config = await resolvePlatform(context, log, {
      command: "api",
      dotenv: values,
      needsUser: !anonymous,
      needsCredentials: !anonymous,
      passwordStdin: values["password-stdin"],
    });
    const env = commandEnvironment(context, values);
    const session = await openApiSession(config, log, {
      spec: document,
      ...(anonymous
        ? { anonymous }
        : cacheFor("api", values, env, config, "password", log, context.profile?.()?.name)),
    });
    const print = (value: unknown, indent: boolean) => {
      const selected = select ? select(value) : value;
      return `${terminalSafeJson(selected ?? null, indent && context.stdout.isTTY ? 2 : undefined)}\n`;
    };
    try {
      const work = async () => {
        if (values.paginate) {
          if (target.kind !== "operation") {
            throw new UsageError(
              "--paginate follows an operation of the spec; name its operation id.",
              "api",
            );
          }
          const items = session.paginate(target.operation.operationId, {
            ...target.init,
            signal: context.signal,
          } as never) as AsyncIterable<unknown>;
          // One compact value per line, written as it arrives: nothing is kept.
          for await (const item of items) await writeDrained(context.stdout, print(item, false));
          return;
        }
        const { data, response } =
          target.kind === "operation"
            ? await session.send(target.operation.operationId, {
                ...target.init,
                signal: context.signal,
              })
            : await sendRaw(session, target, context.signal);
        if (values.include) context.stderr.write(describeResponse(response));
        if (data !== undefined) await writeDrained(context.stdout, print(data, true));
      };
      await abortable(work(), context.signal);
      return ExitCode.ok;
    } finally {
      await session.close().catch(() => {});
    }
  },
};

/**
 * The spec given with --spec (a file relative to the working directory, or a URL), else MSX's.
 * A URL is read through the configured transport (MSX_CA_FILE, MSX_INSECURE_TLS, the proxy,
 * MSX_TIMEOUT_MS, MSX_MAX_RESPONSE_BYTES), like the API calls that follow, before any sign-in.
 */
async function loadApiSpec(
  spec: string | undefined,
  dotenv: DotenvValues,
  context: CommandContext,
  log: Logger,
): Promise<SpecDocument> {
  if (spec === undefined) {
    const { loadMsxDocument } = await import("../../spec/msx-spec.js");
    return loadMsxDocument();
  }
  const { loadSpec } = await import("../../session/load-spec.js");
  if (/^https?:\/\//i.test(spec)) {
    const transport = openTransport(
      loadTransportSettings(commandEnvironment(context, dotenv)),
      log,
    );
    try {
      return await loadSpec(spec, transport.fetch);
    } finally {
      await transport.close().catch(() => {});
    }
  }
  const file = /^file:/i.test(spec) ? new URL(spec) : resolve(context.cwd, spec);
  return loadSpec(file, () => Promise.reject(new Error("a file is not fetched")));
}

async function loadChecks(document: SpecDocument) {
  const { createRequestCheck } = await import("../../session/request-validator.js");
  return { check: createRequestCheck(document) };
}

function targetOf(
  document: SpecDocument,
  positionals: readonly string[],
  params: readonly string[],
  body: unknown,
): Target {
  const [first, path, ...extra] = positionals;
  if (extra.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}.`, "api");
  }
  const withBody = <T extends object>(init: T) => (body === undefined ? init : { ...init, body });
  if (path === undefined) {
    const operation = apiOperation(document, first ?? "");
    return { kind: "operation", operation, init: withBody(parameterValues(operation, params)) };
  }
  const method = (first ?? "").toUpperCase();
  if (!METHODS.includes(method)) {
    throw new UsageError(
      `METHOD PATH: ${JSON.stringify(first)} is not an HTTP method (${METHODS.join(", ")}).`,
      "api",
    );
  }
  if (!path.startsWith("/")) {
    throw new UsageError(
      `METHOD PATH: the path must start with /, got ${JSON.stringify(path)}.`,
      "api",
    );
  }
  const matched = matchOperation(document, method, path);
  if (matched) {
    const init = parameterValues(matched.operation, [...matched.pathParams, ...params]);
    return { kind: "operation", operation: matched.operation, init: withBody(init) };
  }
  // Not in the spec: placeholders of the path take their -p values, the others go to the query.
  const given = splitParams(params);
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
  const pathValues: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const [name, values] of given) {
    if (names.includes(name)) {
      if (values.length > 1) throw new UsageError(`path parameter ${name} takes one value.`, "api");
      pathValues[name] = values[0];
    } else {
      query[name] = values.length === 1 ? values[0] : values;
    }
  }
  const missing = names.filter((name) => pathValues[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `${path} needs ${missing.map((name) => `-p ${name}=…`).join(", ")}.`,
      "api",
    );
  }
  return { kind: "raw", method, path, init: withBody({ path: pathValues, query }) };
}

/** A request the spec lacks, through the session's client (token, transport, size bound). */
async function sendRaw(
  session: { client: unknown; provider: { knownSecrets(): readonly string[] } },
  target: Extract<Target, { kind: "raw" }>,
  signal: AbortSignal,
): Promise<{ data: unknown; response: Response }> {
  const client = session.client as RawClient;
  const { path, query, body } = target.init;
  const result = await client.request(target.method.toLowerCase(), target.path, {
    params: { path, query },
    ...(body !== undefined ? { body } : {}),
    signal,
  });
  if (!result.response.ok) {
    throw await httpErrorFromResponse(result.response, {
      method: target.method,
      secrets: [...session.provider.knownSecrets(), ...cliSecrets()],
      ...(result.error !== undefined ? { body: result.error } : {}),
    });
  }
  return { data: result.data, response: result.response };
}

interface RawClient {
  request(
    method: string,
    path: string,
    init: Record<string, unknown>,
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/** A JMESPath expression, compiled once (the library is loaded only when --query is used). */
async function compileQuery(expression: string): Promise<(value: unknown) => unknown> {
  const { compileJmespath } = await import("../jmespath-query.js");
  return compileJmespath(expression);
}
