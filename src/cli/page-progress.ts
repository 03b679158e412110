import { createHash } from "node:crypto";
import { UnexpectedResponseError } from "../client/unexpected-response-error.js";
import { redactUrl } from "../redact.js";

/**
 * How many earlier pages a listing remembers to recognise a repeat: a fingerprint (20 bytes)
 * each, so memory stays bounded however long the listing; a server cycling through more
 * distinct pages than this is not caught by ids (the page-number check still applies).
 */
export const REMEMBERED_PAGES = 1000;

/** What the check needs of one page: its number (if the server sends one) and its ids. */
export interface PageSeen {
  /** The page number the server reports, if any. */
  page?: number | undefined;
  ids: readonly string[];
  response: Response;
}

/**
 * Stops a listing that follows `hasNext` but makes no progress: the server reports the same
 * page number again, or sends the same tenants as an earlier page (a spec-valid server that
 * answers one page forever made 6,955 requests in 20 s). Throws `UnexpectedResponseError`.
 */
export function createPageProgressCheck(): (seen: PageSeen) => void {
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
    const fingerprint = createHash("sha1").update(ids.join("\n")).digest("base64");
    const earlier = fingerprints.get(fingerprint);
    if (earlier !== undefined) {
      throw noProgress(
        response,
        `the same tenants as page ${earlier + 1} of this listing (page ${count})`,
      );
    }
    fingerprints.set(fingerprint, count - 1);
    if (fingerprints.size > REMEMBERED_PAGES) {
      fingerprints.delete(fingerprints.keys().next().value as string);
    }
  };
}

function noProgress(response: Response, what: string): UnexpectedResponseError {
  const contentType = response.headers.get("content-type") ?? undefined;
  return new UnexpectedResponseError({
    method: "GET",
    url: redactUrl(response.url),
    status: response.status,
    ...(contentType ? { contentType } : {}),
    problem: `a page that makes no progress: ${what}, while saying hasNext`,
    hint: "The platform's paging is broken, so the listing stopped; what was printed before is complete up to that page",
  });
}
