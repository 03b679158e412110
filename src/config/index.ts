export { type Environment, type ReadEnvironmentOptions, readEnvironment } from "./environment.js";
export {
  type ConfigRequirements,
  clientAuthMethods,
  hasPlatformConfig,
  loadPlatformConfig,
  type PlatformConfig,
} from "./platform-config.js";
export {
  type ConfigVariable,
  configVariables,
  type PlatformVariable,
  platformVariables,
} from "./variables.js";
