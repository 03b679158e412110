import type nock from "nock";

// nock is an optional peer (see ../peers/optional-peers.ts): a static import would fail at link
// time, before the entry point could say what to install.
const { default: nockScope } = await import("nock");

/**
 * The nock side of a mock: one scope for its expectations, and a catch-all that answers what no
 * expectation takes, so a stray request becomes a readable violation instead of nock's
 * "No match" error (which prints the headers, credentials included).
 */

/** What nock hands a body matcher as `this`. */
export interface NockMatchContext {
  method?: string;
  path?: string;
  headers?: Record<string, unknown>;
}

/** A request as a reply function sees it. */
export interface NockReplyRequest {
  method: string;
  /** The path with the query string, as nock gives it. */
  uri: string;
  headers: Readonly<Record<string, unknown>>;
  /** The raw body ("" when there is none). */
  bodyText: string;
}

export type ReplyResult = [number, unknown, Record<string, string>];

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/** Per origin: whether some mock has a live expectation for a request (see the catch-all). */
const takersByOrigin = new Map<
  string,
  Array<{ scope: nock.Scope; takes: (context: NockMatchContext, parsedBody: unknown) => boolean }>
>();
/** Per origin: the catch-all interceptors of the newest mock. */
const catchAllsByOrigin = new Map<string, nock.Interceptor[]>();

export interface MockWiring {
  readonly scope: nock.Scope;
  /** Adds an interceptor for `times` calls that `accepts` takes, answered by `reply`. */
  intercept(
    method: string,
    uriMatches: (uri: string) => boolean,
    accepts: (context: NockMatchContext, parsedBody: unknown) => boolean,
    options: { times: number; delayMs?: number | undefined },
    reply: (request: NockReplyRequest) => Promise<ReplyResult> | ReplyResult,
  ): void;
}

/**
 * Sets up nock for a new mock of `origin`. `takes` says whether this mock has a live expectation
 * for a request; `stray` answers a request that no mock of the origin takes.
 *
 * Only the newest mock of an origin keeps a catch-all, and it steps aside for a live expectation
 * of any mock of that origin: a mock left over from an earlier test (no `nock.cleanAll()`) can
 * neither swallow this one's requests nor have its own swallowed. Mocks whose interceptors are
 * gone (used up, or removed by `nock.cleanAll()`) take nothing.
 */
export function wireMock(
  origin: string,
  takes: (context: NockMatchContext, parsedBody: unknown) => boolean,
  stray: (request: NockReplyRequest) => ReplyResult,
): MockWiring {
  const rawBodies = new WeakMap<object, string>();
  const scope = nockScope(origin);
  const strayScope = nockScope(origin).persist();
  for (const withBodies of [scope, strayScope]) {
    withBodies.on("request", (req: object, _interceptor: unknown, body: string) => {
      rawBodies.set(req, body);
    });
  }
  const replyRequest = (context: nock.ReplyFnContext, method: string, uri: string) => ({
    method,
    uri,
    headers: context.req.headers,
    bodyText: rawBodies.get(context.req) ?? "",
  });

  const takers = (takersByOrigin.get(origin) ?? []).filter((t) => t.scope.activeMocks().length > 0);
  takersByOrigin.set(origin, takers);
  takers.push({ scope, takes });
  for (const stale of catchAllsByOrigin.get(origin) ?? []) nockScope.removeInterceptor(stale);
  const catchAlls: nock.Interceptor[] = [];
  catchAllsByOrigin.set(origin, catchAlls);
  for (const method of METHODS) {
    const catchAll = strayScope
      .intercept(
        () => true,
        method,
        function (this: NockMatchContext, parsedBody: unknown) {
          return !takers.some((taker) => taker.takes(this, parsedBody));
        },
      )
      .optionally();
    catchAlls.push(catchAll);
    catchAll.reply(function (this: nock.ReplyFnContext, uri: string) {
      return stray(replyRequest(this, method, uri)) as nock.ReplyFnResult;
    });
  }

  return {
    scope,
    intercept(method, uriMatches, accepts, options, reply) {
      const interceptor = scope
        .intercept(uriMatches, method, function (this: NockMatchContext, parsedBody: unknown) {
          return accepts(this, parsedBody);
        })
        .times(options.times);
      if (options.delayMs !== undefined) interceptor.delay(options.delayMs);
      interceptor.reply(async function (this: nock.ReplyFnContext, uri: string) {
        return (await reply(replyRequest(this, method, uri))) as nock.ReplyFnResult;
      });
    },
  };
}
