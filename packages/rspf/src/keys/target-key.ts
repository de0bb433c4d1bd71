// Keys an enrolment yields for its Enrolment Targets (TS-0003 10.3.2, 10.3.3, 10.3.7), computed the
// same way by the enrolee and by the MEF (for /fetchCredentials). Which derivation a Security Usage
// Identifier gets is a choice documented in docs/mef.md: the RSPF-provisioned MAF key is Km
// (10.3.2, MAF-ID), the RSPF-provisioned SAEF key is Kpsa (10.3.3, Enrolee-B-ID = the target's
// CSE-ID / AE-ID), every other usage the usage-constrained key of 10.3.7 (SUID || target FQDN).
import { deriveKm, deriveKpsa, deriveUsageConstrainedKey, parseSuid, Suid } from '@m2msec/crypto';
import { RspfError } from '../lib/errors.js';

export type TargetKeyDerivation = 'Km' | 'Kpsa' | 'usage-constrained';

export interface EnrolmentTargetGrant {
  /** The Enrolment Target's identity: CSE-ID / AE-ID as its requests carry it, or a MAF-ID. */
  targetId: string;
  /** m2m:suid the key is for. */
  suid: number;
  derivation: TargetKeyDerivation;
  /** FQDN form of the target's identity (10.3.7 input); required for 'usage-constrained'. */
  targetFqdn?: string;
}

/** The derivation a SUID gets unless the MEF's administrator says otherwise. */
export function defaultDerivation(suid: number): TargetKeyDerivation {
  let s: number;
  try {
    s = parseSuid(suid);
  } catch (e) {
    throw new RspfError('BAD_REQUEST', (e as Error).message);
  }
  if (s === Suid.RspfMaf) return 'Km';
  if (s === Suid.RspfSaef) return 'Kpsa';
  return 'usage-constrained';
}

export function checkGrant(g: EnrolmentTargetGrant): EnrolmentTargetGrant {
  if (typeof g?.targetId !== 'string' || g.targetId.length === 0 || g.targetId.length > 255) {
    throw new RspfError('BAD_REQUEST', 'an enrolment target needs a targetId of 1-255 characters');
  }
  try {
    parseSuid(g.suid);
  } catch (e) {
    throw new RspfError('BAD_REQUEST', `target '${g.targetId}': ${(e as Error).message}`);
  }
  if (!['Km', 'Kpsa', 'usage-constrained'].includes(g.derivation)) {
    throw new RspfError('BAD_REQUEST', `target '${g.targetId}': derivation must be Km, Kpsa or usage-constrained`);
  }
  if (g.derivation === 'usage-constrained' && !g.targetFqdn) {
    throw new RspfError('BAD_REQUEST', `target '${g.targetId}': a usage-constrained key needs the target FQDN`);
  }
  return {
    targetId: g.targetId,
    suid: g.suid,
    derivation: g.derivation,
    ...(g.targetFqdn ? { targetFqdn: g.targetFqdn } : {}),
  };
}

/** The 32-byte key for one target grant. The caller wipes it after use. */
export function deriveTargetKey(ke: Uint8Array, g: EnrolmentTargetGrant): Buffer {
  switch (g.derivation) {
    case 'Km':
      return Buffer.from(deriveKm(ke, g.targetId));
    case 'Kpsa':
      return Buffer.from(deriveKpsa(ke, g.targetId));
    case 'usage-constrained':
      if (!g.targetFqdn) throw new RspfError('BAD_REQUEST', 'a usage-constrained key needs the target FQDN');
      return Buffer.from(deriveUsageConstrainedKey(ke, parseSuid(g.suid), g.targetFqdn));
  }
}
