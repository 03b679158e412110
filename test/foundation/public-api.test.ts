import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The public surface of every entry point, as a user gets it: the built dist/ (built by the global
// setup) reached through the package's own name (Node resolves a package's self-reference through
// its `exports`), and the declarations tsc wrote. A name that joins or leaves an entry point must
// change the snapshots below on purpose; src/index.ts says what is left out and why.
const root = resolve(import.meta.dirname, "../..");

const ENTRY_POINTS = {
  passgrant: "dist/index.d.ts",
  "passgrant/testing": "dist/testing/index.d.ts",
  "passgrant/sandbox": "dist/sandbox/index.d.ts",
} as const;
type EntryPoint = keyof typeof ENTRY_POINTS;

/** What a runtime export is: a class, a function, or another value (and its type). */
function runtimeKind(value: unknown): string {
  if (typeof value === "function") {
    return /^class\b/.test(Function.prototype.toString.call(value)) ? "class" : "function";
  }
  return typeof value;
}

async function runtimeExports(entry: EntryPoint): Promise<Record<string, string>> {
  const module: Record<string, unknown> = await import(entry);
  return Object.fromEntries(
    Object.keys(module)
      .sort()
      .map((name) => [name, runtimeKind(module[name])]),
  );
}

/** Every name the declarations export, runtime or type-only, with the kind tsc gives it. */
function declaredExports(): Record<EntryPoint, Record<string, string>> {
  const files = Object.values(ENTRY_POINTS).map((file) => resolve(root, file));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const kindOf = (symbol: ts.Symbol): string => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const f = target.flags;
    if (f & ts.SymbolFlags.Class) return "class";
    if (f & ts.SymbolFlags.Function) return "function";
    if (f & ts.SymbolFlags.Variable) return "const";
    if (f & ts.SymbolFlags.Interface) return "interface";
    if (f & ts.SymbolFlags.TypeAlias) return "type";
    return `flags ${f}`;
  };
  const result = {} as Record<EntryPoint, Record<string, string>>;
  for (const [entry, file] of Object.entries(ENTRY_POINTS) as [EntryPoint, string][]) {
    const source = program.getSourceFile(resolve(root, file));
    if (!source) throw new Error(`${file} is missing: was dist/ built?`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} is not a module`);
    const exports = checker.getExportsOfModule(moduleSymbol);
    result[entry] = Object.fromEntries(
      exports
        .map((symbol) => [symbol.getName(), kindOf(symbol)] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  return result;
}

describe("the public API", () => {
  const declared = declaredExports();

  it("passgrant exports exactly the curated names, with their kinds", () => {
    expect(declared.passgrant).toMatchInlineSnapshot(`
      {
        "AbortedError": "class",
        "AccountIdentity": "interface",
        "ApiClientOptions": "interface",
        "AuthorizationCallbackError": "class",
        "AuthorizationCodeGrant": "interface",
        "AuthorizationFailure": "type",
        "AuthorizationPrompt": "interface",
        "AuthorizationServerMetadata": "interface",
        "CLIENT_AUTH_METHODS": "const",
        "CacheAdvice": "type",
        "CacheError": "class",
        "CacheProblem": "type",
        "CachedAccount": "interface",
        "CallArgs": "type",
        "CallInit": "type",
        "CallResult": "type",
        "ClientAssertionAlg": "type",
        "ClientAuthMethod": "type",
        "ConfigError": "class",
        "ConfigRequirements": "interface",
        "CreateSessionOptions": "interface",
        "DeviceCodeGrant": "interface",
        "DeviceCodePrompt": "interface",
        "DiscoveryError": "class",
        "DiscoveryFailure": "type",
        "Environment": "type",
        "FileTokenCache": "interface",
        "FileTokenCacheOptions": "interface",
        "GRANT_SWITCH_TENANT": "const",
        "GRANT_SWITCH_USER": "const",
        "Grant": "type",
        "HttpError": "class",
        "InsecureTransportError": "class",
        "IntrospectionResult": "interface",
        "InvalidRequestError": "class",
        "LoadedEnvironment": "interface",
        "MAX_EXPIRES_IN_SECONDS": "const",
        "MsxClient": "type",
        "MsxOperationId": "type",
        "NetworkError": "class",
        "OAuthError": "class",
        "OAuthErrorCode": "type",
        "OperationRoute": "interface",
        "OperationRouteEntry": "interface",
        "PageItem": "type",
        "PaginateArgs": "type",
        "PaginateInit": "type",
        "PaginateOptions": "interface",
        "PassgrantError": "class",
        "PassgrantErrorCode": "type",
        "PlatformConfig": "interface",
        "ProxySetting": "type",
        "ReadEnvironmentOptions": "interface",
        "ResponseTooLargeError": "class",
        "RetryEvent": "interface",
        "RetryOptions": "interface",
        "Session": "interface",
        "SignInRequiredError": "class",
        "SilentAcquisitionOptions": "type",
        "SilentGrant": "interface",
        "StrictClient": "type",
        "TimeoutError": "class",
        "TlsError": "class",
        "TokenEndpointHttpError": "class",
        "TokenEvent": "type",
        "TokenExchangeGrant": "interface",
        "TokenProvider": "interface",
        "TokenProviderOptions": "interface",
        "TokenResponseError": "class",
        "TokenSet": "interface",
        "TokenStore": "interface",
        "TokenTypeHint": "type",
        "Transport": "interface",
        "TransportOptions": "interface",
        "UnexpectedResponseError": "class",
        "UnexpectedResponseInit": "interface",
        "UnknownOperationError": "class",
        "UntypedInit": "interface",
        "UntypedOperations": "type",
        "bearerAuth": "function",
        "components": "interface",
        "createApiClient": "function",
        "createFileTokenCache": "function",
        "createMsxClient": "function",
        "createSession": "function",
        "createTokenProvider": "function",
        "createTransport": "function",
        "discoverAuthorizationServer": "function",
        "httpErrorFromResponse": "function",
        "jsonResponseCheck": "function",
        "loadEnvironment": "function",
        "loadPlatformConfig": "function",
        "msxOperations": "const",
        "operations": "interface",
        "paths": "interface",
        "redact": "function",
        "redactUrl": "function",
      }
    `);
  });

  it("passgrant/testing exports exactly these names", () => {
    expect(declared["passgrant/testing"]).toMatchInlineSnapshot(`
      {
        "ApiMock": "type",
        "ClientAssertionExpectation": "interface",
        "ClientAssertionKey": "type",
        "ContractViolation": "interface",
        "ContractViolationError": "class",
        "DocumentedStatus": "type",
        "ExpectOptions": "type",
        "InterceptedRequest": "interface",
        "MockApiOptions": "interface",
        "MockClient": "interface",
        "MockMsxOptions": "interface",
        "MsxMock": "interface",
        "OffSpecStatus": "type",
        "PathParams": "type",
        "RecordedRequest": "interface",
        "RenewalStory": "interface",
        "ReplyFor": "type",
        "RequestBody": "type",
        "RequestMatch": "interface",
        "ResponseBody": "type",
        "SuccessStatus": "type",
        "VIOLATION_HEADER": "const",
        "VIOLATION_STATUS": "const",
        "errorFixture": "function",
        "expiredTokenThenRenewal": "function",
        "fixtureId": "function",
        "fixtureToken": "function",
        "invalidGrantOnRefresh": "function",
        "mockApi": "function",
        "mockMsx": "function",
        "oauthErrorFixture": "function",
        "rateLimited": "function",
        "serverError": "function",
        "slowResponse": "function",
        "tenantFixture": "function",
        "tenantsPageFixture": "function",
        "tokenResponseFixture": "function",
      }
    `);
  });

  it("passgrant/sandbox exports exactly these names", () => {
    expect(declared["passgrant/sandbox"]).toMatchInlineSnapshot(`
      {
        "FaultRule": "interface",
        "INJECTED_FAULT_HEADER": "const",
        "ROLE_CLIENT": "const",
        "ROLE_SUPER_USER": "const",
        "ROLE_TENANT_ADMIN": "const",
        "ROLE_TENANT_VIEWER": "const",
        "SANDBOX_DEFAULTS": "const",
        "SEED_TENANTS": "const",
        "Sandbox": "interface",
        "SandboxClient": "interface",
        "SandboxOptions": "interface",
        "SandboxStats": "interface",
        "SandboxUser": "interface",
        "startSandbox": "function",
      }
    `);
  });

  it.each(Object.keys(ENTRY_POINTS) as EntryPoint[])(
    "%s: its runtime values are exactly its declared classes, functions and constants",
    async (entry) => {
      const values = Object.fromEntries(
        Object.entries(declared[entry]).filter(
          ([, kind]) => kind !== "interface" && kind !== "type",
        ),
      );
      const runtime = await runtimeExports(entry);
      // A declared const may be an object, a string or a number at run time; classes and
      // functions must be what the declarations say.
      const comparable = Object.fromEntries(
        Object.entries(runtime).map(([name, kind]) => [
          name,
          kind === "class" || kind === "function" ? kind : "const",
        ]),
      );
      expect(comparable).toEqual(values);
    },
  );

  it("leaves internal names out of the root", async () => {
    // Through a variable, so that typechecking does not need dist/ built.
    const specifier: EntryPoint = "passgrant";
    const rootModule: Record<string, unknown> = await import(specifier);
    for (const name of [
      "formEncode",
      "basicAuthorization",
      "MAX_TOKEN_RESPONSE_BYTES",
      "REDACTED",
      "DEFAULT_TIMEOUT_MS",
      "DEFAULT_MAX_RESPONSE_BYTES",
      "DEFAULT_RENEW_SKEW_MS",
      "DEFAULT_RETRY",
    ]) {
      expect(rootModule).not.toHaveProperty(name);
    }
    expect(declared.passgrant).not.toHaveProperty("RequestTarget");
    expect(declared.passgrant).toHaveProperty("ProxySetting", "type");
  });

  // The entry points are bundled together (scripts/bundle-library.mjs): a class they share exists
  // once, so an error from passgrant/sandbox is an instance of the root's class.
  it("shares one copy of the error classes across entry points", async () => {
    const rootSpecifier: EntryPoint = "passgrant";
    const sandboxSpecifier: EntryPoint = "passgrant/sandbox";
    const { ConfigError, PassgrantError } = await import(rootSpecifier);
    const { startSandbox } = await import(sandboxSpecifier);
    const error = await startSandbox({ maxTenants: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(PassgrantError);
  });

  // The README's examples are what users copy: each name they import must exist.
  it("the README imports only exported names", async () => {
    const readme = await readFile(resolve(root, "README.md"), "utf8");
    const imports = [...readme.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(passgrant[^"]*)"/g)];
    expect(imports.length).toBeGreaterThan(0);
    for (const [, list = "", entry] of imports) {
      const names = list
        .split(",")
        .map((name) => name.replace(/^\s*type\s+/, "").trim())
        .filter(Boolean);
      for (const name of names) {
        expect(declared[entry as EntryPoint], `${name} from ${entry}`).toHaveProperty(name);
      }
    }
  });
});
