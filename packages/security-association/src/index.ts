// @m2msec/security-association — the Security Association function (TS-0003 6.2.3, 8.2): which
// identity each transport session authenticated, where an association is required, and the
// TransportContext.tls / .association each request carries.
export { PersistentCredentialBindings } from './bindings/persistent-bindings.js';
export {
  type CertificateAssociationOptions,
  certificateAssociationHandler,
} from './frameworks/certificate-association.js';
export {
  applyCertificateRevocation,
  type CertificateRevocationWiring,
  revocationServerOptions,
} from './frameworks/certificate-revocation.js';
export {
  type PskAssociationFramework,
  type PskAssociationOptions,
  pskAssociationFramework,
} from './frameworks/psk-association.js';
export {
  CredentialStorePskDirectory,
  DERIVED_KEY_TA_OWNER,
  type PskDirectory,
  type PskEntry,
} from './frameworks/psk-directory.js';
export {
  type PskIdentityRefusal,
  type PskIdentityResolution,
  type PskIdentitySources,
  pskIdentityRouter,
  resolvePskIdentity,
} from './frameworks/psk-identity.js';
export {
  derivedKeyMatcher,
  directoryMatcher,
  mafMatcher,
  type PskIdentityAnswer,
  type PskIdentityMatcher,
  PskIdentityRouter,
} from './frameworks/psk-identity-router.js';
export { type AeDeregistrationOptions, deregisterAe } from './lifecycle/deregister-ae.js';
export { type CredentialRevocationOptions, revokePskCredential } from './lifecycle/revoke-credential.js';
export {
  openSharedPskRevocations,
  PSK_REVOCATIONS,
  type SharedPskRevocations,
} from './lifecycle/shared-revocations.js';
export {
  checkReferencePointPolicy,
  defaultReferencePointPolicy,
  type ReferencePointPolicy,
} from './policy/reference-point-policy.js';
export type { SaefFramework, SecurityAssociation } from './registry/association.js';
export { type KeyExporter, keyExporter } from './registry/key-exporter.js';
export { type AssociationEvent, type RegistryOptions, SecurityAssociationRegistry } from './registry/registry.js';
export { type BindRegisteredAeOptions, bindRegisteredAes } from './transport/bind-registered-ae.js';
export { type AssociationTransportOptions, associationTransportContext } from './transport/transport-context.js';
