// @m2msec/rspf — Remote Security Provisioning Frameworks (TS-0003 8.3.2.1 pre-provisioned symmetric
// key, 8.3.2.2 certificate-based): enrolment key generation, the enrolment exchange on both sides,
// atomic storage at the enrolee, /fetchCredentials at the MEF and at the Enrolment Target.

// Enrolee
export { type BootstrapCredential, MefChannel, mefHandshakeOptions } from './enrolee/channel.js';
export { ENROLMENT_PATH, type EnrolmentResult, type EnrolOptions, type EnrolStep, enrol } from './enrolee/enrol.js';
export { checkEnrolmentSet, currentEnrolment, listEnrolments, targetPsk } from './enrolee/load.js';
// Exchange messages and plan (shared)
export * from './exchange/messages.js';
export {
  buildPlan,
  checkPlan,
  type EnrolmentManifest,
  enrolmentPrefix,
  manifestLabel,
  planOperations,
  wipeOperations,
} from './exchange/plan.js';
// Keys
export { attestationKeyFromSession, EXPORTER_LABEL_ATTESTATION } from './keys/attestation-key.js';
export { type EnrolmentKey, enrolmentKeyFromExporter, enrolmentKeyFromSession } from './keys/enrolment-key.js';
export { boundedByKe, isLive } from './keys/expiry.js';
export {
  checkGrant,
  defaultDerivation,
  deriveTargetKey,
  type EnrolmentTargetGrant,
  type TargetKeyDerivation,
} from './keys/target-key.js';
export { RspfError, type RspfErrorCode } from './lib/errors.js';
// MEF side
export { EnrolmentExchange, type EnrolmentExchangeOptions, type MefHandshake } from './mef/exchange-server.js';
export {
  answerFetchCredentials,
  FETCH_CREDENTIALS_PATH,
  type FetchCredentialsAnswer,
  type FetchCredentialsBody,
  type FetchCredentialsOptions,
  type FetchCredentialsRequest,
} from './mef/fetch-credentials.js';
export * from './mef/types.js';
// Enrolment Target side
export { type FetchedCredential, fetchCredentials, type MefFetchOptions } from './target/fetch-client.js';
export {
  EnrolmentTargetKeys,
  type EnrolmentTargetKeysOptions,
  handleKeyAnnouncement,
  KEY_ANNOUNCEMENT_PATH,
  withEnrolmentKeys,
} from './target/key-cache.js';
