export { SecureEnvironmentError, type SecureEnvironmentErrorCode } from './errors.js';
export {
  type AttestationExpectation,
  type AttestationKey,
  verifyProvisioningAttestation,
} from './provisioning/verify-attestation.js';
export { createKeyFile, type ScryptParameters } from './software/kek.js';
export { openSoftwareSecureEnvironment, type SoftwareSecureEnvironmentOptions } from './software/open.js';
export type * from './types.js';
