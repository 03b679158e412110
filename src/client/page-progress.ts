import { nodeCrypto } from "../lazy-builtins.js";
import { UnexpectedResponseError } from "./unexpected-response-error.js";

/**
 * How many earlier pages a listing remembers to recognise a repeat: a fingerprint (20 bytes)
 * each, so memory stays bounded however long the listing; a server cycling through more
 * distinct pages than this is not caught by ids (the page-number check still applies).
 */
export const REMEMBERED_PAGES = 1000;

/** How a listing names what it lists, for the error. */
export interface PageProgressOptions {
  /** What the items are, e.g. `tenants`. @default "items" */
  itemName?: string;
  /** How the server said there was a next page, e.g. `hasNext`. @default "a next page" */
  nextSignal?: string;
  /** The listing's method. @default "GET" */
  method?: string;
}

/** What the check needs of one page: its number (if the server sends one) and its ids. */
export interface PageSeen {
  /** The page number the server reports, if any. */
  page?: number | undefined;
  ids: readonly string[];
  response: Response;
}

/**
 * Stops a listing that follows `hasNext` (or a next link) but makes no progress: the server
 * reports the same page number again, or sends the same items as an earlier page (a spec-valid
 * server that answers one page forever made 6,955 requests in 20 s). Throws
 * `UnexpectedResponseError`. The CLI's `tenants list --all` and `session.paginate()` share it.
 */
export function createPageProgressCheck(
  options: PageProgressOptions = {},
): (seen: PageSeen) => void {
  const { itemName = "items", nextSignal = "a next page", method = "GET" } = options;
  const noProgress = (response: Response, what: string) =>
    noProgressError(response, what, nextSignal, method);
  const fingerprints = new Map<string, number>();
  let lastPage: number | undefined;
  let count = 0;
  return ({ page, ids, response }) => {
    count += 1;
    if (page !== undefined && page === lastPage) {
      throw noProgress(response, `page ${page} again (${count} pages fetched)`);
    }
    lastPage = page;
    if (ids.length === 0) return;
    const fingerprint = nodeCrypto().createHash("sha1").update(ids.join("\n")).digest("base64");
    const earlier = fingerprints.get(fingerprint);
    if (earlier !== undefined) {
      throw noProgress(
        response,
        `the same ${itemName} as page ${earlier + 1} of this listing (page ${count})`,
      );
    }
    fingerprints.set(fingerprint, count - 1);
    if (fingerprints.size > REMEMBERED_PAGES) {
      fingerprints.delete(fingerprints.keys().next().value as string);
    }
  };
}

function noProgressError(
  response: Response,
  what: string,
  nextSignal: string,
  method: string,
): UnexpectedResponseError {
  return UnexpectedResponseError.about(response, {
    method,
    problem: `a page that makes no progress: ${what}, while saying ${nextSignal}`,
    hint: "The platform's paging is broken, so the listing stopped; what was printed before is complete up to that page",
  });
}
