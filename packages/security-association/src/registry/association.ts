// One security association: a TLS session and what its handshake authenticated (TS-0003 8.2.1).
export type SaefFramework = 'psk' | 'certificate' | 'maf' | 'derived-key';

export interface SecurityAssociation {
  framework: SaefFramework;
  /** Credential-ID (TS-0003 10.4): 12-<KpsaID>, 12-<Kc Key Identifier>, 12-DK.<TA>.<C>, 33-<AE-ID>, ... */
  credentialId: string;
  /** Identities the credential itself proves (AE-ID / CSE-ID certificate, MAF-reported identity). */
  provenIds: readonly string[];
  /** psk_identity of the handshake (PSK, MAF, DerivedKey). */
  pskIdentity?: string;
  /** Leaf certificate facts (certificate framework). */
  peerCertificate?: { subjectAltNames: string[]; fingerprint256: string; serialNumber: string; der: Uint8Array };
  /** ms since epoch when the key / certificate expires: the association is torn down then. */
  expiresAt?: number;
  establishedAt: number;
}
