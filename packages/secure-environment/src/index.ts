export { DataDirError, prepareDataDir } from './at-rest/data-dir.js';
export { isInside, type KekSource, type ResolveKekOptions, resolveKekSource } from './at-rest/kek-source.js';
export {
  checkSecretFileMode,
  keyInArgvRefused,
  readHexKeySource,
  readSecretSource,
  SecretAtRestError,
} from './at-rest/secret-file.js';
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
