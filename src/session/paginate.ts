import { createPageProgressCheck } from "../client/page-progress.js";
import { UnexpectedResponseError } from "../client/unexpected-response-error.js";
import { redactUrl } from "../redact.js";

/** How `paginate()` reads a listing; the defaults fit MSX and most page/pageSize APIs. */
export interface PaginateOptions {
  /** The query parameter holding the zero-based page number. @default "page" */
  pageParam?: string;
  /** The query parameter holding the page size. @default "pageSize" */
  sizeParam?: string;
  /**
   * The field of a page holding its items. By default the body itself when it is an array,
   * else the first array among `contents` (MSX), `items`, `data`, `results` and `content`.
   */
  itemsField?: string;
  /**
   * Pages fetched at once when the listing's `totalItems` says how many pages there are (page
   * numbers only, not next links). Items are still yielded in order, and the no-progress check
   * still sees every page in order; pages fetched ahead of a stop are discarded.
   * @default 1
   */
  concurrency?: number;
}

/** One page as `send` returns it. */
export interface SentPage {
  readonly data: unknown;
  readonly response: Response;
}

/** What a listing sends: the operation with these parameters, an HttpError on 4xx/5xx. */
export type SendPage = (init: Record<string, unknown>) => Promise<SentPage>;

const ITEM_FIELDS = ["contents", "items", "data", "results", "content"] as const;

/**
 * Follows a listing page by page and yields its items. The next page is, in this order: the
 * `Link: <…>; rel="next"` target (RFC 8288 §3; only to the same origin and path, so the token
 * never leaves for another address), `page + 1` while the body says `hasNext`, `page + 1` while
 * `totalItems` says more remain, or `page + 1` while an array page comes back full. A page that
 * makes no progress (the same page number or items again, an empty page claiming more, a next
 * link seen before) stops it with an `UnexpectedResponseError`: a broken server cannot loop it.
 */
export async function* paginate(
  send: SendPage,
  method: string,
  init: Record<string, unknown>,
  options: PaginateOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const { pageParam = "page", sizeParam = "pageSize" } = options;
  let query: Record<string, unknown> = { ...(init.query as Record<string, unknown> | undefined) };
  const byPage = pageParam in query || sizeParam in query;
  let page = typeof query[pageParam] === "number" ? (query[pageParam] as number) : 0;
  if (byPage) query[pageParam] = page;
  const size = typeof query[sizeParam] === "number" ? (query[sizeParam] as number) : undefined;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const checkProgress = createPageProgressCheck({ method });
  const linksSeen = new Set<string>();
  // Pages requested ahead, by page number: at most `concurrency` in flight.
  const ahead = new Map<number, Promise<SentPage>>();
  const request = (pageQuery: Record<string, unknown>) => {
    const sent = send({ ...init, query: pageQuery });
    // Awaited in order later, or dropped after a stop: never an unhandled rejection.
    sent.catch(() => undefined);
    return sent;
  };
  let fetched = 0;
  for (;;) {
    const pending = ahead.get(page);
    ahead.delete(page);
    const { data, response } = await (pending ?? request(query));
    const items = itemsOf(data, options.itemsField, response, method);
    const body = isRecord(data) ? data : {};
    const reported = body[pageParam];
    checkProgress({
      page: typeof reported === "number" ? reported : undefined,
      ids: items.map(idOf),
      response,
    });
    fetched += items.length;
    yield* items;

    const link = nextLink(response.headers.get("link"), response.url);
    if (link !== undefined) {
      if (linksSeen.has(link.href)) {
        throw noProgress(response, method, `the next link ${redactUrl(link)} again`, 'rel="next"');
      }
      linksSeen.add(link.href);
      if (linksSeen.size > 1000) linksSeen.delete(linksSeen.values().next().value as string);
      query = sameResourceQuery(link, response, method);
      continue;
    }
    let more: boolean;
    if (typeof body.hasNext === "boolean") {
      more = body.hasNext;
      if (more && items.length === 0) {
        throw noProgress(response, method, "an empty page", "hasNext");
      }
    } else if (typeof body.totalItems === "number") {
      more = fetched < body.totalItems && items.length > 0;
    } else {
      more = Array.isArray(data) && size !== undefined && items.length >= size && byPage;
    }
    if (!more) return;
    page += 1;
    query = { ...query, [pageParam]: page };
    if (concurrency > 1 && byPage && size && typeof body.totalItems === "number") {
      const lastPage = Math.ceil(body.totalItems / size) - 1;
      for (let next = page; next <= Math.min(lastPage, page + concurrency - 1); next += 1) {
        if (!ahead.has(next)) ahead.set(next, request({ ...query, [pageParam]: next }));
      }
    }
  }
}

function itemsOf(
  data: unknown,
  field: string | undefined,
  response: Response,
  method: string,
): unknown[] {
  if (field === undefined && Array.isArray(data)) return data;
  if (isRecord(data)) {
    const names = field === undefined ? ITEM_FIELDS : [field];
    for (const name of names) {
      const value = data[name];
      if (Array.isArray(value)) return value;
    }
  }
  throw UnexpectedResponseError.about(response, {
    method,
    problem:
      field === undefined
        ? `a page without a list of items (an array, or ${ITEM_FIELDS.join(", ")})`
        : `a page without the array field ${JSON.stringify(field)}`,
    hint: "Name the field holding the items with paginate()'s itemsField option",
  });
}

function idOf(item: unknown): string {
  if (isRecord(item) && (typeof item.id === "string" || typeof item.id === "number")) {
    return String(item.id);
  }
  return JSON.stringify(item) ?? "";
}

/** The `rel="next"` target of a `Link` header (RFC 8288 §3), resolved against the page's URL. */
export function nextLink(header: string | null, base: string): URL | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const [, target = "", params = ""] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (!relations.includes("next")) continue;
    try {
      return new URL(target, base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The next link's query, when it names the same resource: the token is sent with the request,
 * so a link to another origin (or another path) is refused rather than followed.
 */
function sameResourceQuery(link: URL, response: Response, method: string): Record<string, unknown> {
  const current = new URL(response.url);
  if (link.origin !== current.origin || link.pathname !== current.pathname) {
    throw UnexpectedResponseError.about(response, {
      method,
      problem: `a next link to another resource (${redactUrl(link)})`,
      hint: "passgrant follows next links only to the same origin and path, so the access token is not sent elsewhere",
    });
  }
  const query: Record<string, unknown> = {};
  for (const name of new Set(link.searchParams.keys())) {
    const values = link.searchParams.getAll(name);
    query[name] = values.length === 1 ? values[0] : values;
  }
  return query;
}

function noProgress(
  response: Response,
  method: string,
  what: string,
  signal: string,
): UnexpectedResponseError {
  return UnexpectedResponseError.about(response, {
    method,
    problem: `a page that makes no progress: ${what}, while saying ${signal}`,
    hint: "The platform's paging is broken, so the listing stopped; the items yielded before are complete up to that page",
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
