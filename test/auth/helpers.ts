import nock from "nock";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import type { TokenEvent, TokenProviderOptions } from "../../src/auth/types.js";

export const ORIGIN = "https://msx.test";
export const TOKEN_PATH = "/idm/v2/token";
export const TOKEN_URL = `${ORIGIN}${TOKEN_PATH}`;
export const CLIENT_ID = "passgrant-client";
export const CLIENT_SECRET = "client-Secr3t:+/= x";
export const USERNAME = "superuser";
export const PASSWORD = "p@ss w:rd+hunter2&=";

export const FORM = "application/x-www-form-urlencoded";

/** One recorded token request: what went over the wire, as nock saw it. */
export interface SeenRequest {
  headers: Record<string, string>;
  body: string;
  form: URLSearchParams;
}

/** A successful RFC 6749 §5.1 body with sequential, recognisable tokens. */
export function tokenBody(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_token: `access-token-${n}`,
    token_type: "bearer",
    expires_in: 3600,
    refresh_token: `refresh-token-${n}`,
    scope: "read write",
    ...extra,
  };
}

type Reply = [number, string | Record<string, unknown>, (Record<string, string> | undefined)?];

/**
 * Intercepts the token endpoint `times` times, records each request, and answers with
 * `reply(seenRequest, index)` (default: a JSON token body numbered by call).
 */
export function mockTokenEndpoint(
  reply: (seen: SeenRequest, index: number) => Reply = (_s, i) => [200, tokenBody(i + 1)],
  times = 1,
): SeenRequest[] {
  const seen: SeenRequest[] = [];
  nock(ORIGIN)
    .post(TOKEN_PATH)
    .times(times)
    .reply(function (_uri, body) {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      const entry = { headers: { ...this.req.headers }, body: raw, form: new URLSearchParams(raw) };
      seen.push(entry);
      const [status, payload, headers] = reply(entry, seen.length - 1);
      const isText = typeof payload === "string";
      return [
        status,
        payload,
        { "Content-Type": isText ? "text/plain" : "application/json", ...headers },
      ];
    });
  return seen;
}

/** A clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A password-grant provider on the test origin, recording its events. */
export function passwordProvider(overrides: Partial<TokenProviderOptions> = {}) {
  const events: TokenEvent[] = [];
  const provider = createTokenProvider({
    tokenUrl: TOKEN_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grant: { type: "password", username: USERNAME, password: PASSWORD },
    fetch: (request) => globalThis.fetch(request),
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { provider, events };
}

export function setUpNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:/);
}

export function tearDownNock(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  if (pending.length > 0) throw new Error(`Unused nock interceptors: ${pending.join(", ")}`);
}

/** Every way an error can be shown: message, stack, JSON, util.inspect (with causes). */
export async function everyRendering(error: unknown): Promise<string> {
  const { inspect } = await import("node:util");
  const e = error as Error;
  return [e.message, e.stack ?? "", JSON.stringify(e), inspect(e, { depth: 10 })].join("\n");
}
