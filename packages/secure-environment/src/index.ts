export { SecureEnvironmentError, type SecureEnvironmentErrorCode } from './errors.js';
export { openPkcs11SecureEnvironment, type Pkcs11SecureEnvironmentOptions } from './pkcs11/open.js';
export { initSoftHsm2Token, SOFTHSM2_LIBRARY, type SoftHsm2TokenOptions } from './pkcs11/softhsm2.js';
export {
  type AttestationExpectation,
  type AttestationKey,
  verifyProvisioningAttestation,
} from './provisioning/verify-attestation.js';
export { openSealedVault, type SealedVault } from './sealed-vault.js';
export { createKeyFile, type ScryptParameters } from './software/kek.js';
export { openSoftwareSecureEnvironment, type SoftwareSecureEnvironmentOptions } from './software/open.js';
export type * from './types.js';
