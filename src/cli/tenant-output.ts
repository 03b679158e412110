import type { components } from "../../generated/msx.js";
import { terminalSafe } from "./terminal-text.js";

type Tenant = components["schemas"]["Tenant"];

/**
 * `<id>: <name>`, the line scripts parse (`tenants list`, the demo). Both parts come from the
 * server: each is kept to one line with its control characters escaped, so a name cannot forge
 * another tenant's line or drive the terminal.
 */
export function tenantLine(tenant: Pick<Tenant, "id" | "name">): string {
  return `${terminalSafe(String(tenant.id))}: ${terminalSafe(String(tenant.name))}`;
}

/** One `field: value` line per field that has a value (the image left out), made safe. */
export function describeTenant(tenant: Tenant): string {
  return Object.entries(tenant)
    .filter(([key, value]) => value !== null && value !== undefined && key !== "image")
    .map(([key, value]) => `${terminalSafe(key)}: ${terminalSafe(String(value))}`)
    .join("\n");
}
