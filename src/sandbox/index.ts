// First: a clear error naming what to install, before any module needing those packages loads.
import "./peers-installed.js";

export type { FaultRule } from "./faults.js";
export {
  SANDBOX_DEFAULTS,
  type SandboxClient,
  type SandboxOptions,
  type SandboxUser,
} from "./options.js";
export {
  ROLE_CLIENT,
  ROLE_SUPER_USER,
  ROLE_TENANT_ADMIN,
  ROLE_TENANT_VIEWER,
} from "./roles.js";
export { SEED_TENANTS } from "./seed.js";
export {
  INJECTED_FAULT_HEADER,
  type Sandbox,
  type SandboxStats,
  startSandbox,
} from "./server.js";
