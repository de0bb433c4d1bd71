export { type CseConfig, defaultCseConfig } from './config.js';
export { Cse, type CseOptions } from './cse.js';
export { type Logger, silentLogger } from './logger.js';
export {
  type AdmittedTarget,
  NotificationTargetPolicy,
  type NotificationTargetPolicyConfig,
  TARGET_NOT_REACHABLE_TEXT,
  type TargetResolver,
} from './notifications/target-policy.js';
export type { ExplainQuery } from './operations/explain-access.js';
export type { AuthorizationOptions } from './pipeline/authorization-services.js';
export {
  type RegistrarTarget,
  Registration,
  type RegistrationState,
  type RegistrationStatus,
} from './registration/registrar-registration.js';
export type { PositioningModule } from './resources/location-policy.js';
export type { RegistrarRecord } from './retarget/registrar.js';
export {
  alterContent,
  alterOneCharacter,
  type RelayTamperOptions,
  tamperingRelaySender,
} from './retarget/relay-test-hook.js';
