// A user's own script: log in with the password grant, create a tenant, check that it is listed,
// and delete it again, even when a step in between fails.
//
// In your project, import from the package instead:
//   import { bearerAuth, createMsxClient, createTokenProvider } from "passgrant";
import { bearerAuth } from "../../src/auth/bearer-middleware.js";
import { createTokenProvider } from "../../src/auth/token-provider.js";
import { createMsxClient } from "../../src/client/msx.js";

export interface RoundTripConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  tenantName: string;
}

/** Creates `tenantName`, checks the first page lists it, deletes it; returns the tenant's id. */
export async function tenantRoundTrip(
  config: RoundTripConfig,
  log: (line: string) => void = console.log,
): Promise<string> {
  const provider = createTokenProvider({
    tokenUrl: new URL("/idm/v2/token", config.baseUrl),
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    grant: { type: "password", username: config.username, password: config.password },
  });
  const api = createMsxClient({ baseUrl: config.baseUrl, middleware: [bearerAuth(provider)] });

  const created = await api.POST("/idm/api/v8/tenants", { body: { name: config.tenantName } });
  if (!created.data) {
    throw new Error(`creating the tenant failed with HTTP ${created.response.status}`);
  }
  const id = created.data.id;
  log(`Created Tenant: ${id}`);
  // The tenant is deleted whatever happens after it was created; a listing failure is rethrown
  // after the cleanup, and a failed cleanup carries it as its cause.
  let failure: unknown;
  try {
    const page = await api.GET("/idm/api/v8/tenants", {
      params: { query: { page: 0, pageSize: 100 } },
    });
    if (!page.data) throw new Error(`listing tenants failed with HTTP ${page.response.status}`);
    for (const tenant of page.data.contents) log(`${tenant.id}: ${tenant.name}`);
  } catch (error) {
    failure = error;
  }
  const deleted = await api.DELETE("/idm/api/v8/tenants/{id}", { params: { path: { id } } });
  if (deleted.response.status !== 204) {
    throw new Error(`deleting tenant ${id} failed with HTTP ${deleted.response.status}`, {
      cause: failure,
    });
  }
  log(`Deleted Tenant: ${id}`);
  if (failure !== undefined) throw failure;
  return id;
}
