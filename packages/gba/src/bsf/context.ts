import { Milenage } from '@m2msec/crypto';
import type { CollectionStore } from '@m2msec/store';
import type { SqnPolicy } from '../aka/sqn-policy.js';
import { zeroise } from '../lib/bytes.js';
import { GbaError } from '../lib/errors.js';
import type { Collections, SubscriberRecord } from './records.js';
import type { Sealer } from './sealing.js';

/** What the Ub and Zn operations share (built once by createBsf). */
export interface BsfContext {
  readonly store: CollectionStore;
  readonly sealer: Sealer;
  readonly names: Collections;
  readonly realm: string;
  readonly bsfDomain: string;
  readonly keyLifetimeMs: number;
  readonly challengeLifetimeMs: number;
  readonly policy: SqnPolicy;
  /** IND this BSF puts into every SQN it generates (TS 33.102 C.1.2). */
  readonly ind: number;
  readonly now: () => number;
}

export async function getSubscriber(ctx: BsfContext, impi: string): Promise<SubscriberRecord> {
  const r = await ctx.store.collection<SubscriberRecord>(ctx.names.subscribers).get(impi);
  // One answer for every refusal of the subscriber, so the Ub does not tell which IMPIs exist.
  if (!r) throw new GbaError(403, 'ERR_UNKNOWN_SUBSCRIBER', 'subscriber not authorised for GBA bootstrapping');
  return r;
}

/** Runs fn with a Milenage instance over the subscriber's unsealed K / OPc; the plaintext copy is zeroised after. */
export async function withMilenage<T>(
  ctx: BsfContext,
  r: SubscriberRecord,
  fn: (m: Milenage) => Promise<T>,
): Promise<T> {
  const material = await ctx.sealer.open('subscriber', r.impi, r.keys);
  try {
    const m = new Milenage(material.subarray(0, 16), material.subarray(16, 32));
    return await fn(m);
  } finally {
    zeroise(material);
  }
}
