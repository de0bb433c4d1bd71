// @m2msec/node: the composition layer (DESIGN.md section 1). createCseNode is the one composition of a
// CSE (IN-CSE, or MN-CSE with a registrar); createMnCse the embedding entry point for gateways.

/** Where an MN-CSE's `extras` take the MAF's key notifications (mount them to name this in security.maf). */
export { MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
export { IN_CSE_ADMIN_OPERATIONS, inCseAdminOpenApi, OPENAPI_PATH } from './admin-openapi.js';
export { adminRoutes } from './admin-routes.js';
export { administratorsOf, type InCseAdministration, openAdministration } from './administration.js';
export { authorizationOptions } from './authorization-options.js';
export {
  type AdministratorConfig,
  ConfigError,
  defaults as inCseDefaults,
  derivedKeyWindowSize,
  type InCseConfig,
  loadConfig,
} from './config.js';
export {
  type CseNode,
  type CseNodeConfig,
  type CseNodeListeners,
  type CseNodeRuntime,
  createCseNode,
} from './create-cse-node.js';
export { createMnCse, type MnCse } from './create-mn-cse.js';
export { EXPLAIN_PATH, explainRoute } from './explain-route.js';
export { isBtidOf, isGbaCredentialValueOf } from './gba-target.js';
export type {
  CoapListenerOptions,
  MccListenerOptions,
  MnCseOptions,
  MqttOptions,
  RegistrarOptions,
} from './mn-cse-options.js';
export { keyFromFile, type MqttConfig, mqttConnectOptions } from './mqtt-options.js';
export {
  type InCseSecurity,
  openInCseBindings,
  openInCseSecureEnvironment,
  UnknownCredentialError,
} from './security.js';
export {
  checkRoleMqttConfig,
  type RoleMqttConfig,
  type ServeRoleOverMqttOptions,
  serveRoleOverMqtt,
} from './serve-role-over-mqtt.js';
