// Administrators of a CSE (TS-0003 6.2.3 Security Administration): principals bound to a credential
// that a security association proves, never a From value. Each principal acts under one originator
// (an AE-ID such as 'CAdmin'); the originator alone grants nothing.

/** The credential an administrator's association must have proved (one of them per principal). */
export type AdministratorCredential =
  /** Credential-ID of the association (TS-0003 10.4): '12-<KpsaID>', '33-<AE-ID>', '32-<CSE-ID>', ... */
  | { readonly credentialId: string }
  /** psk_identity of a TLS-PSK handshake (Provisioned Symmetric Key, MAF-based or DerivedKey SAEF). */
  | { readonly pskIdentity: string }
  /** One subjectAltName of the verified client certificate, as 'uri:<value>', 'dns:<value>', ... */
  | { readonly certificateSan: string }
  /** SHA-256 fingerprint of the verified client certificate (colon-separated hex, any case). */
  | { readonly certificateFingerprint256: string };

export interface AdministratorPrincipal {
  /** A name for the audit log (who acted), e.g. 'operator-alice'. */
  readonly name: string;
  /** The From the principal uses (normalised to SP-relative form by Administrators). */
  readonly originator: string;
  readonly credential: AdministratorCredential;
}

/** The credential's kind and value, for the audit log (identifiers only, never key material). */
export function describeCredential(c: AdministratorCredential): string {
  if ('credentialId' in c) return `credentialId:${c.credentialId}`;
  if ('pskIdentity' in c) return `pskIdentity:${c.pskIdentity}`;
  if ('certificateSan' in c) return `certificateSan:${c.certificateSan}`;
  return `certificateFingerprint256:${c.certificateFingerprint256}`;
}
