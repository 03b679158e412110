// The guide's create/list/delete with a session. In your project: import from "passgrant".
import { type CreateSessionOptions, createSession } from "../../src/index.js";

/** Options left out come from MSX_* and ./.env, as for the CLI. Returns the tenant's id. */
export async function sessionRoundTrip(name: string, options: CreateSessionOptions = {}) {
  const session = await createSession(options);
  try {
    const tenant = await session.call("createTenant", { body: { name } });
    console.log(`Created Tenant: ${tenant.id}`);
    const page = await session.call("getTenantsPage", { query: { page: 0, pageSize: 100 } });
    for (const listed of page.contents) console.log(`${listed.id}: ${listed.name}`);
    await session.call("deleteTenant", { path: { id: tenant.id } });
    console.log(`Deleted Tenant: ${tenant.id}`);
    return tenant.id;
  } finally {
    await session.close();
  }
}
