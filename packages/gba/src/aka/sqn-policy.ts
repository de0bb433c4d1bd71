// Sequence number policy of 3GPP TS 33.102 Annex C (profile C.1.1 / C.2 / C.3):
// SQN = SEQ || IND; the HE increments SEQ for each vector and puts its own IND; the USIM keeps an
// array SEQ_MS[IND] and accepts SEQ > SEQ_MS[IND] with SEQ - SEQ_MS(max) <= delta (C.2.2).
export interface SqnPolicy {
  /** Bits of IND (TS 33.102 C.3.2 recommends 5). */
  readonly indBits: number;
  /** Largest forward jump the USIM accepts, in SEQ units (C.3.2: 2^28). */
  readonly delta: number;
}

export const DEFAULT_SQN_POLICY: SqnPolicy = { indBits: 5, delta: 2 ** 28 };

/** SEQ values are the 48 - indBits high bits. */
export function maxSeq(policy: SqnPolicy): number {
  return 2 ** (48 - policy.indBits) - 1;
}

/**
 * HE resynchronisation (TS 33.102 6.3.5): keep SEQ_HE when the next vector (SEQ_HE + 1) would be accepted
 * against SEQ_MS, else reset SEQ_HE to SEQ_MS so the next one is SEQ_MS + 1.
 */
export function resynchronisedSeq(seqHe: number, seqMs: number, policy: SqnPolicy): number {
  const next = seqHe + 1;
  return next > seqMs && next - seqMs <= policy.delta ? seqHe : seqMs;
}
