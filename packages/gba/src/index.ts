// @m2msec/gba — GBA (3GPP TS 33.220) for the GBA-based Remote Security Provisioning Framework of
// TS-0003 8.3.2.3 (MEF as BSF; Ke = Ks, KeID = B-TID; the Enrolment Target is the NAF; Km / Kpsa = Ks_NAF).

// AKA building blocks (TS 33.102)
export { type AuthenticationVector, akaNonce, generateAuthenticationVector } from './aka/authentication-vector.js';
export { AUTS_LENGTH, buildAuts, verifyAuts } from './aka/auts.js';
export { DEFAULT_SQN_POLICY, resynchronisedSeq, type SqnPolicy } from './aka/sqn-policy.js';
// BSF (Ub, Zn, subscriber database)
export type { HttpAnswer } from './bsf/answer.js';
export { BSF_XML_MEDIA_TYPE } from './bsf/bootstrapping-info.js';
export { type Bsf, type BsfOptions, createBsf } from './bsf/create-bsf.js';
export type { UbHttpRequest } from './bsf/handle-ub.js';
export type { ZnAnswer, ZnHttpRequest } from './bsf/handle-zn.js';
export {
  type NafCredential,
  nafClientCertificateAuthenticator,
  nafSharedCredentialAuthenticator,
} from './bsf/naf-authenticators.js';
export { collectionNames } from './bsf/records.js';
export { type NafAuthenticator, ubRoutes, type ZnRoutesOptions, znRoutes } from './bsf/routes.js';
export {
  SubscriberDatabase,
  type SubscriberDatabaseOptions,
  type SubscriberInfo,
  type SubscriberProvisioning,
} from './bsf/subscriber-database.js';
// HTTP Digest (RFC 2617 / RFC 3310)
export {
  type DigestInput,
  digestHa1,
  digestHa2,
  digestResponse,
  digestRspauth,
  type Qop,
} from './digest/compute-digest.js';
export { parseDigestHeader } from './digest/parse-digest.js';
export { GbaError, type GbaErrorCode, isGbaError } from './lib/errors.js';
export { formatBtid, parseBtid } from './lib/validate.js';
// NAF
export { gateNafHandshakes, type HandshakeGateOptions } from './naf/handshake-gate.js';
export { NafKeyCache, type NafKeyCacheOptions } from './naf/key-cache.js';
export { type NafKey, ZnClient, type ZnClientOptions } from './naf/zn-client.js';
// TLS-PSK
export {
  GBA_PSK_IDENTITY_HINT,
  GBA_TLS_PSK_CIPHERS,
  nafTlsPskOptions,
  uePskForNaf,
  ueTlsPskOptions,
} from './tls/psk.js';
// UE
export { type BootstrapOptions, bootstrap } from './ue/bootstrap.js';
export { BootstrapSession } from './ue/bootstrap-session.js';
export { type AkaOutcome, Usim, type UsimOptions, type UsimState } from './ue/usim.js';
