import type { components, operations } from "../../../generated/msx.js";
import { createPageProgressCheck } from "../../client/page-progress.js";
import type { UntypedInit } from "../../session/types.js";
import { abortable, withChildSignal } from "../abortable.js";
import {
  describedHttpError,
  expectData,
  type ShapeCheck,
  tenantPageShape,
  tenantShape,
} from "../api-result.js";
import { integerOption, parseCommandArgs, UsageError } from "../args.js";
import { cacheFor } from "../cache-option.js";
import { tenantActions, tenantsOptions } from "../command-options.js";
import type { Command, CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { commandEnvironment, resolvePlatform } from "../platform.js";
import { createProgress } from "../progress.js";
import { type ApiSession, openApiSession } from "../session.js";
import { describeTenant, tenantLine } from "../tenant-output.js";
import { terminalSafe, terminalSafeJson } from "../terminal-text.js";
import { writeDrained } from "../write-drained.js";

type Tenant = components["schemas"]["Tenant"];
type TenantCreate = components["schemas"]["TenantCreate"];
type TenantUpdate = components["schemas"]["TenantUpdate"];
type TenantsPage = components["schemas"]["TenantsPage"];
type PageQuery = operations["getTenantsPage"]["parameters"]["query"];

const help = `Usage: passgrant tenants <action> [options]

Actions:
  list                 one page of tenants as "<id>: <name>" lines (--all: every page)
  get <id>             one tenant
  create --name NAME   create a tenant; prints its id
  update <id>          change the given fields (others keep their values)
  delete <id>          delete a tenant

List options:
  --page N             zero-based page (default 0)
  --page-size N        tenants per page, 1-1000 (default 100; 1000 with --all)
  --sort-by FIELD      e.g. name or createdOn
  --sort-order ORDER   asc or desc
  --parent-id ID       only the direct children of this tenant
  --all                follow every page, streamed as it arrives (progress on a terminal's
                       stderr); stops with exit 4 if the platform's paging makes no progress

Create and update options:
  --name NAME --description TEXT --email ADDRESS --url URL
  --parent-id ID --external-id ID   (create only)
  An empty value (--description "") clears the field.

Common options:
  --json               print JSON: the page (list), one array of every tenant (list --all,
                       written as pages arrive), the tenant
  --password-stdin     read the password from standard input
  --cache [--cache-file PATH]  reuse a cached token (see passgrant token --help)
  -v, --verbose        log each request (method, redacted URL, status, time) to stderr
  --dotenv FILE        read FILE instead of ./.env (or set PASSGRANT_ENV_FILE)
  --profile NAME       use the config file's profile NAME (or set PASSGRANT_PROFILE)
  -h, --help           show this help

Exit codes: 0 done, 2 usage/configuration, 3 token refused, 4 API error (e.g. 404 no such
tenant), 5 network/TLS/timeout, 6 token cache unusable, 130/143 interrupted, 1 unexpected.`;

const actions = tenantActions;
type Action = (typeof actions)[number];

/** Options that only some actions take; a misplaced one is an error, not silently ignored. */
const actionOptions: Record<string, readonly Action[]> = {
  all: ["list"],
  page: ["list"],
  "page-size": ["list"],
  "sort-by": ["list"],
  "sort-order": ["list"],
  "parent-id": ["list", "create"],
  "external-id": ["create"],
  name: ["create", "update"],
  description: ["create", "update"],
  email: ["create", "update"],
  url: ["create", "update"],
};

type Values = ReturnType<typeof parseTenantArgs>["values"];

function parseTenantArgs(args: readonly string[]) {
  return parseCommandArgs("tenants", joinNegativeNumbers(args), tenantsOptions, true);
}

/**
 * `--page -1` as `--page=-1`: parseArgs would read `-1` as an option and report something
 * "ambiguous"; joined, the value reaches the range check, which says what is allowed.
 */
function joinNegativeNumbers(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if ((arg === "--page" || arg === "--page-size") && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export const tenantsCommand: Command = {
  name: "tenants",
  async run(args, context) {
    const { values, positionals } = parseTenantArgs(args);
    const [action, id, ...extra] = positionals;
    if (values.help || action === undefined) {
      (values.help ? context.stdout : context.stderr).write(`${help}\n`);
      if (values.help) return ExitCode.ok;
      throw new UsageError(`Name an action: ${actions.join(", ")}.`, "tenants");
    }
    if (!actions.includes(action as Action)) {
      throw new UsageError(
        `Unknown action ${JSON.stringify(action)}: use one of ${actions.join(", ")}.`,
        "tenants",
      );
    }
    const needsId = action === "get" || action === "update" || action === "delete";
    if (needsId && id === undefined) {
      throw new UsageError(
        `tenants ${action} needs the tenant id: passgrant tenants ${action} <id>.`,
        "tenants",
      );
    }
    if ((!needsId && id !== undefined) || extra.length > 0) {
      throw new UsageError(
        `tenants ${action}: unexpected argument ${JSON.stringify(needsId ? extra[0] : id)}.`,
        "tenants",
      );
    }
    for (const [option, allowed] of Object.entries(actionOptions)) {
      if (option in values && !allowed.includes(action as Action)) {
        throw new UsageError(`--${option} does not apply to tenants ${action}.`, "tenants");
      }
    }
    if (action === "create" && !values.name) {
      throw new UsageError("tenants create needs --name NAME.", "tenants");
    }
    // Checked before signing in: a mistake should not cost a password prompt or a grant.
    const listing = action === "list" ? listRequest(values) : undefined;

    const log = createLogger(context, values.verbose === true);
    const config = await resolvePlatform(context, log, {
      command: "tenants",
      dotenv: values,
      needsUser: true,
      passwordStdin: values["password-stdin"],
    });
    const env = commandEnvironment(context, values);
    // The bundled MSX spec's operations, sent as `passgrant api` sends them. The requests are
    // built from options checked above, so they are not checked against the spec again (which
    // would load its validator on every run).
    const session = await openApiSession(config, log, {
      ...cacheFor("tenants", values, env, config, "password", log, context.profile?.()?.name),
      validate: false,
    });
    try {
      const work =
        listing !== undefined
          ? list(listing, values, session, context)
          : runAction(action as Exclude<Action, "list">, id ?? "", values, session, context);
      await abortable(work, context.signal);
      return ExitCode.ok;
    } finally {
      await session.close().catch(() => {});
    }
  },
};

async function runAction(
  action: Exclude<Action, "list">,
  id: string,
  values: Values,
  session: ApiSession,
  context: CommandContext,
): Promise<void> {
  const { signal } = context;
  const print = (text: string) => context.stdout.write(`${text}\n`);
  switch (action) {
    case "get": {
      const { data: tenant } = await call<Tenant>(session, "getTenant", {
        path: { id },
        signal,
      });
      print(values.json ? terminalSafeJson(tenant) : describeTenant(tenant));
      return;
    }
    case "create": {
      const body: TenantCreate = {
        name: values.name ?? "",
        ...optionalFields(values, ["description", "email", "url"]),
        ...(values["parent-id"] !== undefined ? { parentId: orNull(values["parent-id"]) } : {}),
        ...(values["external-id"] !== undefined
          ? { externalId: orNull(values["external-id"]) }
          : {}),
      };
      const { data: tenant } = await call<Tenant>(session, "createTenant", { body, signal });
      print(values.json ? terminalSafeJson(tenant) : terminalSafe(tenant.id));
      return;
    }
    case "update": {
      // PUT replaces the tenant: start from its current fields so unnamed ones are kept.
      const { data: current } = await call<Tenant>(session, "getTenant", {
        path: { id },
        signal,
      });
      const body: TenantUpdate = {
        name: values.name ?? current.name,
        description: current.description ?? null,
        email: current.email ?? null,
        url: current.url ?? null,
        ...optionalFields(values, ["description", "email", "url"]),
      };
      const { data: tenant } = await call<Tenant>(session, "updateTenant", {
        path: { id },
        body,
        signal,
      });
      print(values.json ? terminalSafeJson(tenant) : describeTenant(tenant));
      return;
    }
    case "delete":
      await call(session, "deleteTenant", { path: { id }, signal }, null);
      print(
        values.json
          ? terminalSafeJson({ deleted: true, id })
          : `Deleted Tenant: ${terminalSafe(id)}`,
      );
      return;
  }
}

/** The first page to fetch and the query every page shares, from the list options. */
interface ListRequest {
  firstPage: number;
  query: Omit<PageQuery, "page">;
}

function listRequest(values: Values): ListRequest {
  if (values.all && values.page !== undefined) {
    throw new UsageError(
      "--all lists every page from the first; it does not combine with --page. Use --page N alone for one page.",
      "tenants",
    );
  }
  const sortOrder = values["sort-order"];
  if (sortOrder !== undefined && sortOrder !== "asc" && sortOrder !== "desc") {
    throw new UsageError(
      `--sort-order must be asc or desc, got ${JSON.stringify(sortOrder)}.`,
      "tenants",
    );
  }
  const pageSize =
    integerOption("tenants", "page-size", values["page-size"], { min: 1, max: 1000 }) ??
    (values.all ? 1000 : 100);
  const firstPage =
    integerOption("tenants", "page", values.page, { min: 0, max: 2 ** 31 - 1 }) ?? 0;
  return {
    firstPage,
    query: {
      pageSize,
      ...(values["sort-by"] ? { sortBy: values["sort-by"] } : {}),
      ...(sortOrder ? { sortOrder } : {}),
      ...(values["parent-id"] ? { parentId: values["parent-id"] } : {}),
    },
  };
}

async function list(
  { firstPage, query }: ListRequest,
  values: Values,
  session: ApiSession,
  context: CommandContext,
): Promise<void> {
  const out = context.stdout;
  if (!values.all) {
    const { data: result } = await fetchPage(session, query, firstPage, context.signal);
    if (values.json) await writeDrained(out, `${terminalSafeJson(result)}\n`);
    else await writeDrained(out, lines(result.contents));
    return;
  }
  // Streamed page by page, nothing kept: memory stays flat however long the listing. --json
  // writes the same single JSON array as before, piece by piece (so a listing that fails part
  // way leaves an unterminated array, never a valid-looking partial one).
  const progress = createProgress(context.stderr);
  const checkProgress = createPageProgressCheck({ itemName: "tenants", nextSignal: "hasNext" });
  let fetched = 0;
  let opened = false;
  try {
    for (let page = firstPage; ; page += 1) {
      const { data: result, response } = await fetchPage(session, query, page, context.signal);
      checkProgress({
        page: result.page,
        ids: result.contents.map((tenant) => tenant.id),
        response,
      });
      if (values.json) {
        if (result.contents.length > 0) {
          const items = result.contents.map((tenant) => terminalSafeJson(tenant)).join(",");
          await writeDrained(out, `${opened ? "," : "["}${items}`);
          opened = true;
        }
      } else {
        await writeDrained(out, lines(result.contents));
      }
      fetched += result.contents.length;
      const total = result.totalItems === undefined ? "" : ` of ${result.totalItems}`;
      progress.update(`passgrant: fetched ${fetched}${total} tenants`);
      // An empty page that claims more would loop forever; trust the data over the flag.
      if (!result.hasNext || result.contents.length === 0) break;
    }
  } finally {
    progress.done();
  }
  if (values.json) await writeDrained(out, opened ? "]\n" : "[]\n");
}

/** One page, checked for the shape the listing relies on, with a signal of its own. */
async function fetchPage(
  session: ApiSession,
  query: Omit<PageQuery, "page">,
  page: number,
  signal: AbortSignal,
) {
  return withChildSignal(signal, (pageSignal) =>
    call<TenantsPage>(
      session,
      "getTenantsPage",
      { query: { ...query, page }, signal: pageSignal },
      tenantPageShape,
    ),
  );
}

/**
 * One operation of the MSX spec by its id, through the session. Its 2xx JSON is checked for the
 * shape the command relies on (a tenant by default; `null` for none); an HTTP error gets the
 * tenants' hint for its status.
 */
async function call<T>(
  session: ApiSession,
  operationId: string,
  init: UntypedInit,
  shape: ShapeCheck | null = tenantShape,
): Promise<{ data: T; response: Response }> {
  try {
    const { data, response } = await session.send(operationId, init);
    const method = session.operations.get(operationId)?.method ?? "GET";
    return {
      data: expectData<T>({ data: data as T, response }, method, shape ?? undefined),
      response,
    };
  } catch (error) {
    throw describedHttpError(error);
  }
}

function lines(tenants: readonly Tenant[]): string {
  return tenants.map((tenant) => `${tenantLine(tenant)}\n`).join("");
}

function orNull(text: string): string | null {
  return text === "" ? null : text;
}

function optionalFields<K extends "description" | "email" | "url">(
  values: Partial<Record<K, string | undefined>>,
  keys: readonly K[],
): Partial<Record<K, string | null>> {
  const out: Partial<Record<K, string | null>> = {};
  for (const key of keys) {
    const value = values[key];
    if (value !== undefined) out[key] = orNull(value);
  }
  return out;
}
