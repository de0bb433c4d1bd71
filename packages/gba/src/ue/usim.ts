// A software USIM for the device (GBA_ME: the ME runs AKA against K / OPc it holds). Checks AUTN as
// 3GPP TS 33.102 6.3.3 orders it: MAC-A first (a bad MAC is a network authentication failure and gets no
// AUTS), then SQN freshness with the Annex C.2.2 array; a stale SQN yields AUTS (6.3.5).
import { computeOPc, constantTimeEqual, Milenage } from '@m2msec/crypto';
import { buildAuts } from '../aka/auts.js';
import { DEFAULT_SQN_POLICY, type SqnPolicy } from '../aka/sqn-policy.js';
import { xor } from '../lib/bytes.js';
import { GbaError } from '../lib/errors.js';
import { composeSqn, splitSqn, sqnFromBytes } from '../lib/sqn.js';

/** Persistent USIM state: SEQ_MS per IND slot (TS 33.102 C.2.1). */
export interface UsimState {
  readonly seqMs: readonly number[];
}

export interface UsimOptions {
  readonly k: Uint8Array;
  /** Exactly one of OPc and OP. */
  readonly opc?: Uint8Array;
  readonly op?: Uint8Array;
  readonly sqnPolicy?: SqnPolicy;
  readonly state?: UsimState;
}

export type AkaOutcome =
  | { readonly kind: 'success'; readonly res: Buffer; readonly ck: Buffer; readonly ik: Buffer; readonly sqn: number }
  | { readonly kind: 'sync-failure'; readonly auts: Buffer };

export class Usim {
  readonly #milenage: Milenage;
  readonly #policy: SqnPolicy;
  readonly #seqMs: number[];

  constructor(options: UsimOptions) {
    if ((options.opc === undefined) === (options.op === undefined)) {
      throw new GbaError(400, 'ERR_MALFORMED', 'give exactly one of OP and OPc');
    }
    const opc = options.opc ?? computeOPc(options.k, options.op!);
    this.#milenage = new Milenage(options.k, opc);
    this.#policy = options.sqnPolicy ?? DEFAULT_SQN_POLICY;
    const slots = 2 ** this.#policy.indBits;
    const seqMs = options.state?.seqMs ?? new Array<number>(slots).fill(0);
    if (seqMs.length !== slots || !seqMs.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new GbaError(400, 'ERR_MALFORMED', `USIM state must hold ${slots} non-negative SEQ_MS values`);
    }
    this.#seqMs = [...seqMs];
  }

  /** The highest accepted SQN (SEQ_MS(max) || its IND): what AUTS announces. */
  get sqnMs(): number {
    let best = 0;
    for (let i = 1; i < this.#seqMs.length; i++) if (this.#seqMs[i]! > this.#seqMs[best]!) best = i;
    return composeSqn(this.#seqMs[best]!, best, this.#policy.indBits);
  }

  exportState(): UsimState {
    return { seqMs: [...this.#seqMs] };
  }

  /** AKA on the device for one challenge (RAND, AUTN from the BSF's nonce). */
  authenticate(rand: Uint8Array, autn: Uint8Array): AkaOutcome {
    if (rand.length !== 16 || autn.length !== 16) {
      throw new GbaError(400, 'ERR_PROTOCOL', 'RAND and AUTN must be 16 bytes each');
    }
    const { res, ck, ik, ak } = this.#milenage.f2345(rand);
    const sqnBytes = xor(autn.subarray(0, 6), ak);
    const amf = autn.subarray(6, 8);
    const { macA } = this.#milenage.f1(rand, sqnBytes, amf);
    if (!constantTimeEqual(macA, autn.subarray(8, 16))) {
      res.fill(0);
      ck.fill(0);
      ik.fill(0);
      throw new GbaError(401, 'ERR_BSF_AUTHENTICATION', 'AUTN does not verify (MAC failure): the BSF is not authentic');
    }
    const sqn = sqnFromBytes(sqnBytes);
    const { seq, ind } = splitSqn(sqn, this.#policy.indBits);
    const highest = Math.max(...this.#seqMs);
    if (seq <= this.#seqMs[ind]! || seq - highest > this.#policy.delta) {
      res.fill(0);
      ck.fill(0);
      ik.fill(0);
      return { kind: 'sync-failure', auts: buildAuts(this.#milenage, rand, this.sqnMs) };
    }
    this.#seqMs[ind] = seq;
    return { kind: 'success', res, ck, ik, sqn };
  }
}
