export {
  type CertificateCredential,
  certificateFingerprint,
  fingerprintOf,
  frameworkOf,
  keyMatches,
} from './credential.js';
export {
  APPLY_APPLIED,
  APPLY_FAILED,
  APPLY_PENDING,
  type Applied,
  type DeviceConfigOptions,
  DeviceSecurityConfig,
} from './device-config.js';
export { type EstEndpoint, enrolNewCertificate } from './enrol-certificate.js';
export { obtainTrustAnchor } from './fetch-trust-anchor.js';
export { persistCredentialFiles, persistedTrustAnchors } from './persist-files.js';
export { createSwitchableAgent, type SaefEndpoints, type SwitchableAgent } from './switchable-agent.js';
export { type Watching, type WatchOptions, watchConfiguration } from './watch.js';
