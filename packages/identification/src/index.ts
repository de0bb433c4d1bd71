export {
  boundIdsOf,
  type CredentialBinding,
  type CredentialBindings,
  InMemoryCredentialBindings,
  normaliseBinding,
} from './credentials/bindings.js';
export {
  type CredentialId,
  CredentialIdType,
  formatCredentialId,
  parseCredentialId,
} from './credentials/credential-id.js';
export { compileWildcard, matchesWildcard, type WildcardPattern } from './lib/wildcard.js';
export { classifyOriginator } from './originator/classify.js';
export type {
  ClassifiedOriginator,
  ClassifyContext,
  IdentifiedOriginator,
  OriginatorRequest,
  Peer,
  UnassignedAeOriginator,
} from './originator/types.js';
export {
  appRuleFromResource,
  type CompiledAppRule,
  compileAppRule,
  type ServiceSubscribedAppRule,
  validateAppRule,
} from './registration/app-rule.js';
export {
  type AeIdAssignment,
  type AeIdDecision,
  type AeIdFromInCse,
  type AssignAeIdOptions,
  assignAeId,
  type RegistrarContext,
} from './registration/assign-ae-id.js';
export { checkAppId } from './registration/check-app-id.js';
export {
  checkAeRegistration,
  type RegistrationClaim,
  type RegistrationGrant,
} from './registration/check-registration.js';
export { generateAeIdStem, type RandomSource } from './registration/generate-stem.js';
