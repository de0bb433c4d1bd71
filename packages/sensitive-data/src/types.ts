/** Credential kinds handled by the Sensitive Data Handling function (TS-0003 6.2.5, 8.3, 8.8). */
export type KeyCredentialKind = 'Kpm' | 'Ke' | 'Km' | 'Kpsa' | 'Kc';
export type CredentialKind = KeyCredentialKind | 'certificate' | 'trust-anchor';

/** Stored record: metadata only. Key bytes stay in the secure environment. */
export interface CredentialRecord {
  /** KpmID, KeID, KmID, KpsaID, Key Identifier for Kc, or a certificate's ID. Also the PSK identity. */
  credentialId: string;
  kind: CredentialKind;
  /** Security Usage Identifier (TS-0003 Table 8.3.1-1 / 10.3.7), when the key is usage-constrained. */
  suid?: number;
  /** The stakeholder owning the credential (6.2.5.2: data stays under its owner's control). */
  owner: string;
  /** Enrolment Target IDs the key may be used with (CSE-IDs, AE-IDs, MAF/MEF FQDNs). */
  targetIds: string[];
  /** ms since epoch; absent: no expiry. */
  expiresAt?: number;
  createdAt: number;
  /** SE key id (key kinds) or SE credential label (certificates). */
  seRef: string;
}

export type CredentialAuditOperation = 'add' | 'derive' | 'use-psk' | 'use-mac' | 'read' | 'delete' | 'expire';

export interface CredentialAuditEvent {
  time: string;
  operation: CredentialAuditOperation;
  credentialId: string;
  kind?: CredentialKind;
  outcome: 'success' | 'failure';
  reason?: string;
}

export interface CredentialStoreLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}
