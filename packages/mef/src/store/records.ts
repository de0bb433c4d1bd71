// What the MEF keeps (DESIGN 5: one keyed collection per concern, SQLite or PostgreSQL).
import type { EnrolmentTargetGrant } from '@m2msec/rspf';

/** Bootstrap Instruction Configuration for one enrolee, as the administrator registers it. */
export interface EnroleeConfig {
  /** The enrolee's CSE-ID or AE-ID (Enrolee-ID). */
  enroleeId: string;
  targets: EnrolmentTargetGrant[];
  /** Enrolment Expiry: Ke lifetime (10.7). */
  enrolmentExpirySeconds: number;
  keyLifetimeSeconds?: number;
  /** Instruct certificate enrolment (EST at /.well-known/est). */
  certificateEnrolment?: boolean;
  /** subjectAltName values (URI / DNS) this enrolee may get in an EST certificate. */
  subjectAltNames?: string[];
  remoteManagementUri?: string;
  /** MEF Client Configuration returned by Configuration Retrieval (8.3.5.2.4). */
  clientConfiguration?: Record<string, unknown>;
  /**
   * Enrolee group (username / password option): a user authenticates only when the MEF's `user.groups`
   * enables its group.
   */
  group?: string;
}

/** principal key: psk:<KpmID> | cert:<SAN value> | user:<username>. */
export interface EnroleeRecord extends EnroleeConfig {
  principal: string;
  /** Kpm sealed (psk enrolees). */
  sealedKpm?: string;
  /** HTTP Digest HA1 sealed (user enrolees; a realm-bound password equivalent Digest needs). */
  sealedHa1?: string;
  /** argon2id PHC string of the password, sealed (user enrolees; HTTP Basic). */
  sealedPasswordHash?: string;
  createdAt: number;
}

/**
 * A certificate the MEF CA issued over EST, by canonical serial (issue 12 item 6): whose it is
 * (the enrolee record that authorised it), so that re-enrolment is bound to exactly that enrolee and
 * revocation reaches every certificate of a revoked enrolee.
 */
export interface IssuedCertificateRecord {
  /** Canonical serial hex (upper case, no leading zeros). */
  serialNumber: string;
  /** Principal key of the enrolee record that was allowed the certificate (psk:..., cert:...). */
  holder: string;
  enroleeId: string;
  operation: 'simpleenroll' | 'simplereenroll' | 'serverkeygen';
  issuedAt: number;
  notAfter: number;
  /** Set once revoked (RFC 5280 5.3.1 reason, default unspecified). */
  revokedAt?: number;
  reason?: string;
}

/** An Enrolment Target / MEF client that authenticates to the MEF to fetch keys. */
export interface TargetRecord {
  targetId: string;
  pskIdentity?: string;
  sealedKey?: string;
  /** subjectAltName value of the target's certificate. */
  certificateSan?: string;
  /** Where to POST {"keID"} when an enrolment naming this target completes (MEF notification). */
  announceUrl?: string;
}

/** <mefClientReg> (8.3.5.2.3). */
export interface ClientRegistration {
  ri: string;
  /** The authenticated MEF client (principal key). */
  mefClientID: string;
  adminFQDN: string;
  et: number;
  lbl?: string[];
  ct: number;
}

/** <symmKeyReg> (8.3.5.2.7). */
export interface KeyRegistration {
  relativeKeyID: string;
  sourceClientID: string;
  adminFQDN: string;
  suid: number;
  targetIDs: string[];
  et: number;
  lbl?: string[];
  sealedKey: string;
  ct: number;
}
