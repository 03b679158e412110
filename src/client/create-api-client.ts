import createClient, { type ClientOptions, type Middleware } from "openapi-fetch";
import type { MediaType } from "openapi-typescript-helpers";
import { ConfigError } from "../errors.js";
import { redact, redactUrl } from "../redact.js";
import { jsonResponseCheck } from "./json-response-check.js";
import type { StrictClient } from "./strict-client.js";

/** Options for {@link createApiClient}: openapi-fetch's own, with `baseUrl` required. */
export interface ApiClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The platform's root URL, e.g. `https://msx.lab.internal`. Paths from the spec are appended. */
  baseUrl: string | URL;
  /** Middleware applied to every request, in order (e.g. `bearerAuth(provider)`). */
  middleware?: readonly Middleware[];
  /**
   * A 2xx answer that should be JSON but is not (an HTML login page, a garbled body) throws an
   * `UnexpectedResponseError` instead of a bare `SyntaxError` (see `jsonResponseCheck`).
   * @default true
   */
  checkJson?: boolean;
}

/**
 * A typed client for any API described by openapi-typescript `paths`.
 *
 * `fetch` defaults to a late-bound `globalThis.fetch`, not the function captured at creation:
 * openapi-fetch would otherwise keep whatever fetch existed when the client was made, and a
 * client created before nock (or any test double) was installed would silently bypass it.
 */
export function createApiClient<Paths extends {}, Media extends MediaType = `${string}/${string}`>(
  options: ApiClientOptions,
): StrictClient<Paths, Media> {
  const { baseUrl, middleware = [], fetch: customFetch, checkJson = true, ...rest } = options;
  const client = createClient<Paths, Media>({
    ...rest,
    baseUrl: normaliseBaseUrl(baseUrl),
    fetch: customFetch ?? ((request: Request) => globalThis.fetch(request)),
  });
  // The check first: openapi-fetch runs onResponse last-registered first, so it sees the final
  // response (after bearerAuth's replay of a 401).
  const all = checkJson ? [jsonResponseCheck(), ...middleware] : middleware;
  if (all.length > 0) client.use(...all);
  // Same object: StrictClient only narrows what callers may pass (see strict-client.ts).
  return client as unknown as StrictClient<Paths, Media>;
}

function normaliseBaseUrl(baseUrl: string | URL): string {
  const text = String(baseUrl);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      `baseUrl must be an absolute http(s) URL such as https://msx.example.com, got ${JSON.stringify(redact(text))}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`baseUrl must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    // fetch refuses such URLs with a TypeError that quotes them, credentials and all.
    throw new ConfigError(
      `baseUrl must not contain a user name or password (${redactUrl(url)}): authenticate with bearerAuth(provider) instead`,
    );
  }
  return url.href.replace(/\/+$/, "");
}
