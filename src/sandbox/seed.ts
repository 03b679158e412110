import type { components } from "../../generated/msx.js";
import type { TenantStore } from "./store.js";

type TenantCreate = components["schemas"]["TenantCreate"];

/**
 * The tenants a fresh sandbox starts with: the guide's names, with fixed ids so docs and scripts
 * can refer to them. Sprite is Coke's child, so deleting Coke answers 409 until Sprite is gone.
 */
export const SEED_TENANTS: ReadonlyArray<{ readonly id: string } & TenantCreate> = [
  {
    id: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e01",
    name: "Dandelion and Burdock",
    externalId: "crm-000001",
    description: "The sandbox's home tenant",
    url: "https://example.com/dandelion-and-burdock",
    email: "hello@example.com",
  },
  {
    id: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e02",
    name: "Coke",
    externalId: "crm-000002",
    description: "A parent tenant (Sprite is its child)",
  },
  {
    id: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e03",
    name: "Pepsi",
    externalId: "crm-000003",
  },
  {
    id: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e04",
    name: "Sprite",
    parentId: "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e02",
    externalId: "crm-000004",
  },
];

/** The tenant the default user belongs to. */
export const HOME_TENANT_ID = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e01";

export function seedTenants(store: TenantStore): void {
  for (const { id, ...tenant } of SEED_TENANTS) store.create(tenant, id);
}
