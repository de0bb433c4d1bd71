// Store records of the BSF (all JSON, no raw secrets: K/OPc and Ks are sealed, see sealing.ts).
import type { SealedSecret } from './sealing.js';

/** The HSS stand-in: one row per IMPI (collection `<prefix>.subscribers`). */
export interface SubscriberRecord {
  readonly v: 1;
  readonly impi: string;
  /** K || OPc (32 bytes), sealed. */
  readonly keys: SealedSecret;
  /** SEQ_HE: the SEQ part of the last SQN the HE used (TS 33.102 C.1.1). */
  readonly seqHe: number;
  /** AMF, 4 hex digits. */
  readonly amf: string;
  /** GUSS stand-in (TS-0003 8.3.2.3): the Enrolee-ID given to the Enrolment Target with Ks_NAF. */
  readonly enroleeId?: string;
  /** GUSS stand-in: NAF FQDNs (Enrolment Targets) that may obtain Ks_NAF for this subscriber. */
  readonly enrolmentTargets: readonly string[];
}

/** An issued, not yet answered challenge (collection `<prefix>.challenges`, keyed by nonce). */
export interface ChallengeRecord {
  readonly impi: string;
  readonly sqn: number;
  /** ms since epoch. */
  readonly expiresAt: number;
}

/** A bootstrapping session (collection `<prefix>.bootstraps`, keyed by B-TID). */
export interface BootstrapRecord {
  readonly btid: string;
  readonly impi: string;
  /** RAND, base64 (an input of Ks_NAF). */
  readonly rand: string;
  /** Ks = CK || IK, sealed. */
  readonly ks: SealedSecret;
  readonly bootstrapTime: number;
  readonly expiresAt: number;
}

export interface Collections {
  readonly subscribers: string;
  readonly challenges: string;
  readonly bootstraps: string;
  /** IMPI -> current B-TID, so a new bootstrap replaces the previous Ks (TS 33.220 4.5.2). */
  readonly btidByImpi: string;
  /** IMPI -> outstanding nonce: one open challenge per subscriber, so challenge rows stay bounded. */
  readonly nonceByImpi: string;
}

export function collectionNames(prefix: string): Collections {
  return {
    subscribers: `${prefix}.subscribers`,
    challenges: `${prefix}.challenges`,
    bootstraps: `${prefix}.bootstraps`,
    btidByImpi: `${prefix}.btid-by-impi`,
    nonceByImpi: `${prefix}.nonce-by-impi`,
  };
}
