// AE-ID assignment for CREATE <AE> (TS-0001 10.2.2.2 steps 002 and 004, cases a-f; TS-0004 7.4.5.2.1).
// Pure: the CSE checks the store afterwards (an existing <AE> with the resulting resourceID is 4117
// ORIGINATOR_HAS_ALREADY_REGISTERED for a requested stem, a reason to draw again for a generated one).
import type { IdContext } from '@m2msec/protocol';
import { badRequest, show } from '../lib/errors.js';
import { generateAeIdStem, type RandomSource } from './generate-stem.js';

export interface RegistrarContext extends IdContext {
  /** The IN-CSE is its SP's assigner of S-type AE-ID-Stems (TS-0001 10.2.2.2 step 006a). */
  readonly cseType: 'IN' | 'MN' | 'ASN';
}

export interface AssignAeIdOptions {
  /** SP policy for a CREATE <AE> without From (TS-0001 10.2.2.2 step 004). Default 'C'. */
  readonly stemTypeWhenAbsent?: 'C' | 'S';
  readonly random?: RandomSource;
}

/** Use a stem: the AE's own (cases b, d, e, f) or a fresh one (case c, or From absent). */
export interface AeIdDecision {
  readonly action: 'use-requested' | 'assigned';
  readonly stemType: 'C' | 'S';
  readonly stem: string;
  /** Unstructured-CSE-relative-Resource-ID of the new <AE>: equal to the AE-ID-Stem (steps 005b-005f). */
  readonly resourceId: string;
  /** SP-relative AE-ID: '{registrar CSE-ID}/C…' or '/S…' (TS-0001 Table 7.2-1). */
  readonly aeId: string;
  /**
   * S-type stem at an MN-/ASN-CSE: create or update the <AEAnnc> on the IN-CSE first
   * (From '{CSE-ID}/{stem}', cases b and e) and register only after it succeeded.
   */
  readonly announceToInCse: boolean;
}

/**
 * From 'S' at an MN-/ASN-CSE (case a): the IN-CSE picks the stem. Send CREATE <AEAnnc> with From
 * `announceFrom`; the resourceID the IN-CSE gives the <AEAnnc> becomes the AE-ID-Stem and the <AE>'s
 * resourceID (step 008a).
 */
export interface AeIdFromInCse {
  readonly action: 'request-from-in-cse';
  readonly stemType: 'S';
  readonly announceFrom: string;
}

export type AeIdAssignment = AeIdDecision | AeIdFromInCse;

export function assignAeId(
  from: string | undefined,
  registrar: RegistrarContext,
  options: AssignAeIdOptions = {},
): AeIdAssignment {
  const atInCse = registrar.cseType === 'IN';
  if (from === undefined || from === '') {
    // Step 004, From not sent: the registrar assigns, type by SP policy; S continues with case b.
    const type = options.stemTypeWhenAbsent ?? 'C';
    return decision('assigned', generateAeIdStem(type, options.random), registrar, atInCse);
  }
  if (from === 'C') return decision('assigned', generateAeIdStem('C', options.random), registrar, atInCse);
  if (from === 'S') {
    if (atInCse) return decision('assigned', generateAeIdStem('S', options.random), registrar, true);
    return { action: 'request-from-in-cse', stemType: 'S', announceFrom: `${registrar.cseId}/S` };
  }
  const c = from[0];
  if (c !== 'C' && c !== 'S') {
    if (c === '/') {
      badRequest(
        `From ${show(from)}: CREATE <AE> carries an AE-ID-Stem, not an SP-relative or absolute ID (TS-0001 10.2.2.2 step 002)`,
      );
    }
    badRequest(`From ${show(from)} is not an AE-ID-Stem: its first character must be 'C' or 'S' (TS-0001 Table 7.2-1)`);
  }
  checkStemCharacters(from);
  return decision('use-requested', from, registrar, atInCse);
}

function decision(
  action: AeIdDecision['action'],
  stem: string,
  registrar: RegistrarContext,
  atInCse: boolean,
): AeIdDecision {
  const stemType = stem[0] as 'C' | 'S';
  return {
    action,
    stemType,
    stem,
    resourceId: stem,
    aeId: stemType === 'C' ? `${registrar.cseId}/${stem}` : `/${stem}`,
    announceToInCse: stemType === 'S' && !atInCse,
  };
}

// TS-0004 6.2.3: CSE-/SP-assigned-AE-ID-Stem = 1*unreserved, unreserved = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-" / "." / "_").
const STEM_TAIL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkStemCharacters(stem: string): void {
  if (!STEM_TAIL.test(stem.slice(1))) {
    badRequest(
      `From ${show(stem)}: an AE-ID-Stem continues with a letter or digit, then letters, digits, '-', '.', '_' (TS-0004 6.2.3)`,
    );
  }
}
