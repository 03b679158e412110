import { type LimitedText, readTextLimited } from "./response-body.js";

/** A form POST to an authorization server endpoint (token, device, revocation, introspection). */
export interface FormRequest {
  /** Header names as sent; `Content-Type` included. */
  headers: ReadonlyMap<string, string>;
  /** `application/x-www-form-urlencoded` text. */
  body: string;
  signal?: AbortSignal;
}

/** The one header lookup replies offer, as `Headers.get` (null when absent). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** What an authorization server answered to a form POST: all that passgrant reads of it. */
export interface FormReply {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  readonly headers: HeaderLookup;
  /**
   * At most `maxBytes` of the body as UTF-8 text; past that the rest is dropped (`truncated`)
   * and the connection closed. Read once.
   */
  readText(maxBytes: number): Promise<LimitedText>;
  /** Drops the body unread, closing the connection if it is still arriving. */
  discard(): Promise<void>;
}

/** Sends one form POST. A redirect is never followed: it comes back as the reply. */
export type FormPost = (url: string, request: FormRequest) => Promise<FormReply>;

type Fetch = (request: Request) => Promise<Response>;

/** Form posts that a transport sends without fetch, by the transport's `fetch` function. */
const ownFormPosts = new WeakMap<Fetch, FormPost>();

/** Records that `fetch`'s transport sends form posts with `post` (see `formsOverNodeHttp`). */
export function attachFormPost(fetch: Fetch, post: FormPost): void {
  ownFormPosts.set(fetch, post);
}

/**
 * How form posts go out for a client configured with `fetch`: the transport's own way when
 * `fetch` is a transport's that has one, else through `fetch` itself (any fetch a caller passes,
 * a test double included, sees every request).
 */
export function formPostFor(fetch: Fetch): FormPost {
  return ownFormPosts.get(fetch) ?? ((url, request) => postWithFetch(fetch, url, request));
}

/** A form POST through `fetch`; exported for the transport's fall-back when a proxy applies. */
export async function postWithFetch(
  fetch: Fetch,
  url: string,
  request: FormRequest,
): Promise<FormReply> {
  const response = await fetch(
    new Request(url, {
      method: "POST",
      headers: [...request.headers],
      body: request.body,
      redirect: "manual",
      ...(request.signal ? { signal: request.signal } : {}),
    }),
  );
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    readText: (maxBytes) => readTextLimited(response, maxBytes),
    discard: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}
