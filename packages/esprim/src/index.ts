// @m2msec/esprim — End-to-End Security of Primitives (TS-0003 8.4, 10.3.8; TS-0004 7.6.2) and
// ESPrim-based originator verification (TS-0003 7.2.2).
export {
  ALL_ESPRIM_ALGS,
  algIdOf,
  cekLength,
  type EsprimEnc,
  EsprimKeyGenAlgID,
  EsprimProtocolAndAlgID,
  encOf,
} from './algorithms.js';
export { type ESPrimHeader, parseCompact } from './jwe/compact.js';
export { esprimError, esprimStatus } from './lib/errors.js';
export { ESPrimClient, type ESPrimClientOptions, type SendPrimitive } from './originator/client.js';
export { deriveE2EKeys, type E2EKeys, saltForSource } from './provisioning/e2e-keys.js';
export {
  type E2ECredentialRegistration,
  E2ECredentialRegistry,
  generateSourceCredential,
  mefProvisionedKey,
  rspfE2EKeys,
  type SourceGeneratedCredential,
} from './provisioning/trust-enabling-function.js';
export { type FetchedESPrimKey, FetchingESPrimKeys, type FetchingESPrimKeysOptions } from './session/fetched-keys.js';
export { CTY_REQUEST, CTY_RESPONSE } from './session/inner.js';
export { ESPrimOriginator, type ESPrimOriginatorOptions } from './session/originator.js';
export { type PairwiseESPrimKey, type PairwiseESPrimKeyStore, PairwiseESPrimKeys } from './session/pairwise-keys.js';
export { type CredentialSlots, PersistentIdentityKeys } from './session/persistent-identity-keys.js';
export {
  newOriginatorRandObject,
  newReceiverRandObject,
  type OriginatorESPrimRandObject,
  parseOriginatorRandObject,
  parseReceiverRandObject,
  type ReceiverESPrimRandObject,
  randObjectOctets,
} from './session/rand-object.js';
export {
  ESPrimReceiver,
  type ESPrimReceiverOptions,
  type ESPrimSession,
  type UnprotectedRequest,
} from './session/receiver.js';
export { ESPrimReplayGuard, type ReplayVerdict } from './session/replay-guard.js';
export { contentEncryptionKey, sessionESPrimKey } from './session/session-key.js';
export { type CseESPrimTarget, type CseESPrimTargetOptions, cseESPrimTarget } from './target/cse-target.js';
export { type E2ESecInfo, ESPRIM_SUIDS, e2eSecInfo, supportsESPrim } from './target/e2e-sec-info.js';
export { type SecurityInfo, SecurityInfoType, securityInfoContent, securityInfoOf } from './target/security-info.js';
export {
  type ESPrimTargetOptions,
  esprimAuthenticated,
  esprimVerifiedOriginator,
  verifyESPrimOriginator,
  withESPrimTarget,
} from './target/target-handler.js';
