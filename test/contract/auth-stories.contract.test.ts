import { describe, expect, it } from "vitest";
import { bearerAuth } from "../../src/auth/bearer-middleware.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { createMsxClient } from "../../src/client/msx.js";
import {
  expiredTokenThenRenewal,
  invalidGrantOnRefresh,
  type MsxMock,
  mockMsx,
  rateLimited,
  serverError,
  slowResponse,
} from "../../src/testing/index.js";
import { createTransport } from "../../src/transport/transport.js";
import { useMockHygiene } from "./mock-hygiene.js";

/**
 * The failure stories of the kit, survived (or correctly not retried) by passgrant's own auth
 * layer: the token provider and the bearer middleware in front of the typed client.
 */

const BASE = "https://msx.stories.test";
const TENANT_ID = "07430f51-65f7-46f0-8306-0cce8cae147c";
const client = { clientId: "stories-client", clientSecret: "stories-secret" };

let msx: MsxMock;

useMockHygiene(() => msx);

function scriptClient(options: { timeoutMs?: number; retry?: false } = {}) {
  const transport = createTransport({
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retry === false ? { retry: false as const } : {}),
  });
  const provider = createTokenProvider({
    tokenUrl: `${BASE}/idm/v2/token`,
    ...client,
    grant: { type: "password", username: "superuser", password: "pw" },
    fetch: transport.fetch,
  });
  const api = createMsxClient({
    baseUrl: BASE,
    fetch: transport.fetch,
    middleware: [bearerAuth(provider)],
  });
  return { api, provider };
}

const getTenant = (api: ReturnType<typeof scriptClient>["api"]) =>
  api.GET("/idm/api/v8/tenants/{id}", { params: { path: { id: TENANT_ID } } });

describe("the auth layer against the kit's failure stories", () => {
  it("renews with the refresh token after a 401 and replays the call with the new token", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken({ match: { body: { grant_type: "password" } } });
    expiredTokenThenRenewal(msx, "getTenant", { renewWith: "refresh_token" });
    const { api } = scriptClient();
    const { data, response } = await getTenant(api);
    expect(response.status).toBe(200);
    expect(data?.id).toBe(TENANT_ID);
  });

  it("falls back to the password grant when the refresh token is rejected with invalid_grant", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken({ match: { body: { grant_type: "password" } } });
    msx.getTenant({ status: 401 });
    const { fallback } = invalidGrantOnRefresh(msx);
    msx.getTenant({ requireAccessToken: fallback?.access_token as string });
    const { api } = scriptClient();
    const { response } = await getTenant(api);
    expect(response.status).toBe(200);
  });

  it("retries a 429 after its Retry-After: the caller sees the success", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken();
    rateLimited(msx, "getTenant", { retryAfterSeconds: 0 });
    const { api } = scriptClient();
    const { response, data } = await getTenant(api);
    expect(response.status).toBe(200);
    expect(data?.id).toBe(TENANT_ID);
  });

  it("with retry: false, the caller sees a 429 with its Retry-After", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken();
    rateLimited(msx, "getTenant", { retryAfterSeconds: 7, retry: false });
    const { api } = scriptClient({ retry: false });
    const { response, error } = await getTenant(api);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("does not replay a failed create (a 503 may have taken effect)", async () => {
    msx = mockMsx(BASE, { client }).getAccessToken();
    serverError(msx, "createTenant", { status: 503, retry: false });
    const { api } = scriptClient();
    const { response } = await api.POST("/idm/api/v8/tenants", { body: { name: "Fanta" } });
    expect(response.status).toBe(503);
  });

  it("times out a slow token endpoint with ERR_TIMEOUT", async () => {
    msx = mockMsx(BASE, { client });
    slowResponse(msx, "getAccessToken", 60_000);
    const { provider } = scriptClient({ timeoutMs: 30 });
    await expect(provider.getAccessToken()).rejects.toMatchObject({ code: "ERR_TIMEOUT" });
  });
});
