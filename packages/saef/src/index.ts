// @m2msec/saef — Security Association Establishment Frameworks (TS-0003 8.2, 10.1, 10.2) as Node TLS
// server and client configurations, DerivedKey / AuthorizedPublicKey modes, and a client SDK.

// Certificate-Based SAEF (8.2.2.2, 10.1).
export { certificateCipherList, TLS12_ECDHE_ECDSA_CIPHERS } from './certificate/ciphers.js';
export { type CertificateClientOptions, certificateClientOptions } from './certificate/client-options.js';
export { CrlFeed, type CrlFeedOptions } from './certificate/crl-feed.js';
export { type ParsedCertificate, parseCertificate, type SubjectAltNameEntry } from './certificate/parse.js';
export {
  type CertificateIdentity,
  type CertificateIdentityKind,
  certificateIdentity,
  type IdentityContext,
} from './certificate/peer-identity.js';
export { checkCertificateProfile, issuerHasNameConstraints } from './certificate/profile.js';
export {
  CertificateRevocation,
  type CrlInfo,
  canonicalSerialHex,
  type RevocationStatus,
} from './certificate/revocation.js';
export { type CertificateServerOptions, certificateServerOptions } from './certificate/server-options.js';
export { type CachedCertificateCheck, CertificateCheckCache } from './certificate/session-cache.js';
export { type CertificateSession, peerChain, verifyCertificateSession } from './certificate/verify-session.js';
// Client SDK.
export { createSaefAgent } from './client/agent.js';
export { type SaefClientFramework, saefConnectionOptions } from './client/connection-options.js';
export {
  OneM2MClient,
  type OneM2MClientOptions,
  type OneM2MRequest,
  type OneM2MResponse,
} from './client/onem2m-client.js';
export { acceptDerivedKeySession } from './derived-key/accept-session.js';
export {
  type AuthorizedPublicKeyVerdict,
  AuthorizedPublicKeyVerifier,
  authorizedPublicKeyCredentialId,
  MAC_CERT_EXTENSION_OID,
  macCertOfCertificate,
} from './derived-key/authorized-public-key.js';
// DerivedKey and AuthorizedPublicKey modes.
export { DERIVED_KEY_LENGTH, deriveClientKey } from './derived-key/derive.js';
export { derivedKeyDurabilityGate } from './derived-key/durability-gate.js';
export {
  DERIVED_KEY_PREFIX,
  type DerivedKeyIdentity,
  derivedKeyCredentialId,
  formatDerivedKeyIdentity,
  isDerivedKeyIdentity,
  parseDerivedKeyIdentity,
} from './derived-key/identity.js';
export {
  issueMacCert,
  type MacCert,
  macCertMatchesCertificate,
  parseMacCert,
  verifyMacCert,
} from './derived-key/mac-cert.js';
export {
  DERIVED_KEY_MAX_WINDOW_SIZE,
  DERIVED_KEY_MIN_WINDOW_SIZE,
  DERIVED_KEY_WINDOW_SIZE,
  type DerivedKeyAcceptance,
  type DerivedKeyResolution,
  DerivedKeyResourceServer,
  type DerivedKeyResourceServerOptions,
  type DerivedKeyWindowState,
  derivedKeyWindowSize,
} from './derived-key/resource-server.js';
export {
  type DerivedKeyRevocation,
  parseRevocation,
  signRevocation,
  verifyRevocation,
} from './derived-key/revocation.js';
export { type DerivedKeyGrant, DerivedKeyTrustAnchor, type TrustAnchorOptions } from './derived-key/trust-anchor.js';
export { SaefError, type SaefErrorCode } from './lib/errors.js';
// MAF-based SAEF (8.2.2.3, 8.8).
export { type ConnectionKey, connectionKeyFromMafSession } from './maf/connection-key.js';
export { MafKeyCache, type MafKeyCacheOptions, type MafKeyRecord, type MafKeySource } from './maf/key-cache.js';
// Provisioned Symmetric Key SAEF (8.2.2.1); also carries MAF-based and DerivedKey identities.
export { pskCipherList, TLS12_PSK_CIPHERS, TLS13_PSK_CIPHERS } from './psk/ciphers.js';
export { type PskClientOptions, pskClientOptions } from './psk/client-options.js';
export { type PskResolver, type PskServerOptions, pskServerOptions } from './psk/server-options.js';
export { pskIdentityOf } from './psk/session.js';
