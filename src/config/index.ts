export {
  type Environment,
  type LoadedEnvironment,
  loadEnvironment,
  type ReadEnvironmentOptions,
  readEnvironment,
} from "./environment.js";
export {
  type ConfigRequirements,
  DEFAULT_TOKEN_PATH,
  hasPlatformConfig,
  loadPlatformConfig,
  type PlatformConfig,
} from "./platform-config.js";
export { tokenHostWarning } from "./token-host.js";
export { loadTransportSettings, type TransportSettings } from "./transport-settings.js";
export {
  type ConfigVariable,
  configVariables,
  optionVariableNames,
  optionVariables,
  type PlatformVariable,
  platformVariables,
} from "./variables.js";
