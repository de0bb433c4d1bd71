// Enrolment Exchange messages (TS-0003 8.3.2.1, Tables 8.3.2.1-1 to -4), serialised as JSON with the
// tables' parameter names in lowerCamelCase. The 'end' instruction and the attestation report are
// this implementation's: the clause leaves the "end of the enrolment exchange" response and the
// enrolee's success messages unspecified (docs/mef.md).
import type { ProvisioningAttestation } from '@m2msec/secure-environment';
import type { EnrolmentTargetGrant } from '../keys/target-key.js';
import { RspfError } from '../lib/errors.js';

/** Table 8.3.2.1-1: what the enrolee is prepared to do if the MEF instructs it. */
export interface EnrolmentIndications {
  certificateEnrolmentIndication: boolean;
  mafEnrolmentIndication: boolean;
  remoteManagementIndication: boolean;
}

/** Table 8.3.2.1-2. */
export interface CertificateEnrolmentInstruction {
  instructionType: 'certificateEnrolment';
  /** Base certificate enrolment URI (the EST base, RFC 7030 3.2.2). */
  uri: string;
}

/** Table 8.3.2.1-3. */
export interface MafEnrolmentInstruction {
  instructionType: 'mafEnrolment';
  credentialType: 'symmetricKey' | 'certificate';
  mafKeyRegistrationUri: string;
  mafKeyRetrievalUri: string;
  mafClientRegistrationUri?: string;
  /** base64 DER trust anchors for the MAF certificate. */
  trustAnchors?: string[];
  /** ms since epoch, bounded by Ke (10.7). */
  lifetime?: number;
}

/** Table 8.3.2.1-4. */
export interface RemoteManagementInstruction {
  instructionType: 'remoteManagement';
  uri: string;
}

/** One item of what the enrolee's secure environment must hold once the enrolment commits. */
export type ProvisioningPlanItem =
  | { kind: 'enrolment-key'; id: string }
  | { kind: 'target-key'; id: string; target: number }
  | { kind: 'credential'; label: string; value: string };

export interface ProvisioningPlan {
  /** The issuer named in the provisioning session: the MEF-FQDN. */
  issuer: string;
  /** base64url nonce for the commit. */
  nonce: string;
  items: ProvisioningPlanItem[];
}

/** The end of the enrolment exchange: what was granted and how to store it. */
export interface EndInstruction {
  instructionType: 'end';
  keID: string;
  enroleeID: string;
  /** Enrolment Expiry: Ke's lifetime, ms since epoch (10.7). */
  expirationTime: number;
  targets: Array<EnrolmentTargetGrant & { expirationTime: number }>;
  provisioning: ProvisioningPlan;
}

export type Instruction =
  | CertificateEnrolmentInstruction
  | MafEnrolmentInstruction
  | RemoteManagementInstruction
  | EndInstruction;

export interface ExchangeResponse {
  enrolmentID: string;
  keID: string;
  instruction: Instruction;
}

/** The enrolee's report after carrying out an instruction (8.3.2.1 steps 9, 12, 14). */
export interface InstructionResult {
  instructionType: Exclude<Instruction['instructionType'], 'end'>;
  success: boolean;
  /** certificateEnrolment: the certificate the enrolee obtained (base64 DER). */
  certificate?: string;
}

/** Deletions the enrolee staged before the plan (an earlier enrolment's credentials it replaces). */
export type Removal = { op: 'delete-key'; id: string } | { op: 'delete-credential'; label: string };

export interface AttestationReport {
  attestation: ProvisioningAttestation;
  removed: Removal[];
}

/** Prefix of every key id and credential label an enrolment writes into the enrolee's SE. */
export const RSPF_PREFIX = 'rspf/';

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

export function parseIndications(body: unknown): EnrolmentIndications {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') throw new RspfError('BAD_REQUEST', 'the enrolment request must be a JSON object');
  const names = ['certificateEnrolmentIndication', 'mafEnrolmentIndication', 'remoteManagementIndication'] as const;
  for (const n of names) {
    if (!isBool(b[n])) throw new RspfError('BAD_REQUEST', `${n} must be true or false (Table 8.3.2.1-1)`);
  }
  for (const k of Object.keys(b)) {
    if (!(names as readonly string[]).includes(k)) throw new RspfError('BAD_REQUEST', `unknown parameter '${k}'`);
  }
  return {
    certificateEnrolmentIndication: b.certificateEnrolmentIndication as boolean,
    mafEnrolmentIndication: b.mafEnrolmentIndication as boolean,
    remoteManagementIndication: b.remoteManagementIndication as boolean,
  };
}

export function parseInstructionResult(body: unknown): InstructionResult {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') throw new RspfError('BAD_REQUEST', 'the result must be a JSON object');
  const t = b.instructionType;
  if (t !== 'certificateEnrolment' && t !== 'mafEnrolment' && t !== 'remoteManagement') {
    throw new RspfError(
      'BAD_REQUEST',
      'instructionType must be certificateEnrolment, mafEnrolment or remoteManagement',
    );
  }
  if (!isBool(b.success)) throw new RspfError('BAD_REQUEST', 'success must be true or false');
  if (b.certificate !== undefined && (typeof b.certificate !== 'string' || b.certificate.length > 16384)) {
    throw new RspfError('BAD_REQUEST', 'certificate must be base64 DER of at most 12 KiB');
  }
  return {
    instructionType: t,
    success: b.success,
    ...(typeof b.certificate === 'string' ? { certificate: b.certificate } : {}),
  };
}

export function parseAttestationReport(body: unknown): AttestationReport {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') throw new RspfError('BAD_REQUEST', 'the attestation report must be a JSON object');
  const a = b.attestation as ProvisioningAttestation | undefined;
  if (!a || typeof a !== 'object' || typeof a.mac !== 'string' || typeof a.sessionId !== 'string') {
    throw new RspfError('BAD_REQUEST', 'attestation must be a provisioning attestation object');
  }
  const removed = b.removed ?? [];
  if (!Array.isArray(removed) || removed.length > 256) {
    throw new RspfError('BAD_REQUEST', 'removed must be a list of at most 256 deletions');
  }
  const out: Removal[] = [];
  for (const r of removed as Array<Record<string, unknown>>) {
    const ref = r?.op === 'delete-key' ? r.id : r?.op === 'delete-credential' ? r.label : undefined;
    if (typeof ref !== 'string' || !ref.startsWith(RSPF_PREFIX) || ref.length > 255) {
      throw new RspfError('BAD_REQUEST', `a removal may only delete an earlier enrolment's ${RSPF_PREFIX} entries`);
    }
    out.push(r.op === 'delete-key' ? { op: 'delete-key', id: ref } : { op: 'delete-credential', label: ref });
  }
  return { attestation: a, removed: out };
}
