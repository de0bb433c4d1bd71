// What the MEF side of the RSPF needs from its host (packages/mef): who the enrolee is, what the
// administrating stakeholder configured for it, where enrolments are kept, and a vault for Ke.

import type { MafEnrolmentInstruction } from '../exchange/messages.js';
import type { EnrolmentTargetGrant } from '../keys/target-key.js';

/** The identity the MEF Handshake authenticated (8.3.2.1: KpmID; 8.3.2.2: the enrolee's certificate). */
export type EnroleePrincipal =
  | { kind: 'psk'; kpmId: string }
  | {
      kind: 'certificate';
      /** SHA-256 of the DER certificate, hex. */
      fingerprint: string;
      /** subjectAltName entries, e.g. 'URI:...', 'DNS:...'. */
      subjectAltNames: string[];
    }
  /** Username/password option for user devices (server-only TLS + HTTP Digest; outside the EST profile). */
  | { kind: 'user'; username: string };

export const principalName = (p: EnroleePrincipal): string =>
  p.kind === 'psk' ? `psk:${p.kpmId}` : p.kind === 'user' ? `user:${p.username}` : `certificate:${p.fingerprint}`;

/** Bootstrap Instruction Configuration at the MEF (8.3.2.1, Tables 9.2.2.x) for one enrolee. */
export interface EnroleePolicy {
  /** The enrolee's assigned CSE-ID or AE-ID (Enrolee-ID). */
  enroleeId: string;
  /** Enrolment Targets and the key usage each is granted. */
  targets: EnrolmentTargetGrant[];
  /** Enrolment Expiry: lifetime of Ke in seconds (10.7). */
  enrolmentExpirySeconds: number;
  /** Lifetime of target keys in seconds; capped by Ke's (10.7). Default: Ke's. */
  keyLifetimeSeconds?: number;
  /** Instruct certificate enrolment when the enrolee indicates it can (Table 8.3.2.1-2). */
  certificateEnrolment?: { uri: string };
  mafEnrolment?: Omit<MafEnrolmentInstruction, 'instructionType' | 'lifetime'>;
  remoteManagement?: { uri: string };
}

export type EnrolmentState = 'pending' | 'complete' | 'revoked';

export interface EnrolmentRecord {
  keId: string;
  enroleeId: string;
  principal: string;
  targets: Array<EnrolmentTargetGrant & { expirationTime: number }>;
  createdAt: number;
  expiresAt: number;
  state: EnrolmentState;
  /** Ke sealed by the KeyVault. */
  sealedKe: string;
  completedAt?: number;
  /** SHA-256 (hex) of the certificate the enrolment issued, if any. */
  certificateSha256?: string;
}

export interface EnrolmentRepository {
  /** The administrator's configuration for this principal; undefined: not allowed to enrol. */
  policyFor(principal: EnroleePrincipal): Promise<EnroleePolicy | undefined>;
  /** Committed before the MEF answers with the plan. */
  savePending(record: EnrolmentRecord): Promise<void>;
  /** Only after a verified attestation. Fails if the record is not pending. */
  markComplete(keId: string, at: number): Promise<EnrolmentRecord>;
  get(keId: string): Promise<EnrolmentRecord | undefined>;
}

/** Seals secrets for storage (the MEF's secure environment holds the key-encryption key). */
export interface KeyVault {
  seal(purpose: string, id: string, key: Uint8Array): Promise<string>;
  open(purpose: string, id: string, sealed: string): Promise<Buffer>;
}

/** Checks a certificate the enrolee obtained by certificate enrolment; returns it and the trust anchors to store. */
export type IssuedCertificateCheck = (
  certificateDer: Buffer,
  principal: EnroleePrincipal,
  policy: EnroleePolicy,
) => Promise<{ certificate: Buffer; trustAnchors: Buffer[] }>;
