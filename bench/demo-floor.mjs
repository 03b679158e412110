// The floor for `passgrant demo` (issue 14): the same four requests with nothing but the global
// fetch, as a minimal script would send them. A password grant (client credentials in Basic), a
// tenant created, the first page of tenants listed, the tenant deleted, a line printed for each,
// as the demo prints. bench/startup.mjs runs it beside `passgrant demo` against the same sandbox.
import { randomUUID } from "node:crypto";

const base = process.env.MSX_BASE_URL;
const basic = Buffer.from(`${process.env.MSX_CLIENT_ID}:${process.env.MSX_CLIENT_SECRET}`).toString(
  "base64",
);
const json = async (response) => {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}`);
  return response.json();
};

const token = await json(
  await fetch(`${base}/idm/v2/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "password",
      username: process.env.MSX_USERNAME,
      password: process.env.MSX_PASSWORD,
    }),
  }),
);
console.log("Got Access Token");
const auth = { authorization: `Bearer ${token.access_token}` };
const created = await json(
  await fetch(`${base}/idm/api/v8/tenants`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({
      name: `passgrant_floor_${randomUUID()}`,
      description: "Nobody reaches anywhere by believing. --Osho",
      email: "test@example.com",
      url: "https://cisco.com",
    }),
  }),
);
console.log(`Created Tenant: ${created.id}`);
const page = await json(
  await fetch(`${base}/idm/api/v8/tenants?page=0&pageSize=100`, { headers: auth }),
);
console.log("Got Tenants Page");
for (const tenant of page.contents) console.log(`${tenant.id} ${tenant.name}`);
const deleted = await fetch(`${base}/idm/api/v8/tenants/${created.id}`, {
  method: "DELETE",
  headers: auth,
});
if (!deleted.ok) throw new Error(`DELETE answered ${deleted.status}`);
await deleted.arrayBuffer();
console.log(`Deleted Tenant: ${created.id}`);
