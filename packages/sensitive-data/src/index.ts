export { type CredentialMetadata, CredentialStore, type CredentialStoreOptions } from './credential-store.js';
export { SensitiveDataError, type SensitiveDataErrorCode } from './errors.js';
export type * from './types.js';
