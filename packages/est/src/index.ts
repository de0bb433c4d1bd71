// @m2msec/est — EST (RFC 7030) for the MEF certificate provisioning (TS-0003 8.3.6.2) with the
// certificate and CSR profiles of TS-0003 10.1 / 10.1.4: server (framework-neutral core and an
// express Router) and client.

// CA in the secure environment
export {
  type CertificateAuthority,
  type CreateCertificateAuthorityOptions,
  createCertificateAuthority,
  openCertificateAuthority,
} from './certificate/certificate-authority.js';
export { type CertificateContent, issueCertificate } from './certificate/issue-certificate.js';
export {
  CRL_REASONS,
  type CrlContent,
  type CrlReason,
  canonicalSerial,
  issueCrl,
  type RevokedCertificate,
} from './certificate/issue-crl.js';
export { type ParsedCertificate, parseCertificate } from './certificate/parse-certificate.js';
// client
export { type CsrKey, type CsrOptions, createCsr } from './client/create-csr.js';
export {
  type CmcRevocation,
  type CmcRevocationResult,
  type CmcSigner,
  REVOCATION_REASONS,
  revokeWithFullCmc,
} from './client/fullcmc-revoke.js';
export {
  fetchCaCertificates,
  fetchCsrAttributes,
  type ServerKeyGenResult,
  serverKeyGen,
  simpleEnroll,
  simpleReenroll,
} from './client/operations.js';
export type { EstBody, EstResponse, EstTarget } from './client/request.js';
export type { EnrolmentResult } from './client/responses.js';
// formats
export { type ParsedCsr, parseCsr } from './csr/parse-csr.js';
export { verifyCsrSignature } from './csr/verify-csr.js';
export {
  type CsrAttributes,
  type CsrAttributesOptions,
  decodeCsrAttributes,
  encodeCsrAttributes,
} from './csrattrs/csr-attributes.js';
export { EstClientError, EstError, type EstStatus, isEstError } from './errors.js';
export { decodeBase64Body } from './lib/base64-body.js';
export type { GeneralName } from './lib/general-names.js';
export type { NameConstraints } from './lib/name-constraints.js';
export { OID } from './lib/oids.js';
export { decodeCertsOnly, encodeCertsOnly } from './pkcs7/certs-only.js';
// server
export {
  certificateKeyIdentifier,
  encryptServerKey,
  type ServerKeyRecipient,
} from './server/encrypt-server-key.js';
export { createEstServer, type EstServer } from './server/est-server.js';
export { type EstRoutesOptions, estRequestListener, estRoutes } from './server/router.js';
export type {
  ChannelBindingMode,
  EnrolmentDecision,
  EnrolmentPolicy,
  EnrolmentRequest,
  EstEnrolmentOperation,
  EstHttpRequest,
  EstHttpResponse,
  EstLogger,
  EstOperation,
  EstServerOptions,
  IssuedCertificate,
} from './server/types.js';
// TLS
export {
  type ChannelBinding,
  type ChannelBindingType,
  channelBinding,
  channelBindingPassword,
  sessionChannelBinding,
} from './tls/channel-binding.js';
export { clientIdentity, type EstClientIdentity, estPskCallback, pskIdentityOf } from './tls/client-identity.js';
