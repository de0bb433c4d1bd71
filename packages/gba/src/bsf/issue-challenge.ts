// Ub step 2 (TS 24.109 5.3.2, TS 33.220 4.5.2): a fresh authentication vector, SEQ_HE incremented and the
// challenge recorded in one transaction, answered with 401 and WWW-Authenticate: Digest ... AKAv1-MD5.
import { randomBytes } from 'node:crypto';
import type { Milenage } from '@m2msec/crypto';
import { akaNonce, generateAuthenticationVector } from '../aka/authentication-vector.js';
import { maxSeq } from '../aka/sqn-policy.js';
import { quote } from '../digest/parse-digest.js';
import { GbaError } from '../lib/errors.js';
import { composeSqn } from '../lib/sqn.js';
import { type HttpAnswer, textAnswer } from './answer.js';
import type { BsfContext } from './context.js';
import type { ChallengeRecord, SubscriberRecord } from './records.js';

/** Same transaction as the caller's other writes: `tx` is a store or a transaction handle. */
export async function recordChallenge(
  ctx: BsfContext,
  tx: Pick<BsfContext['store'], 'collection'>,
  impi: string,
  milenage: Milenage,
  rand: Buffer,
): Promise<string> {
  const subscribers = tx.collection<SubscriberRecord>(ctx.names.subscribers);
  const current = await subscribers.get(impi);
  if (!current) throw new GbaError(403, 'ERR_UNKNOWN_SUBSCRIBER', 'subscriber not authorised for GBA bootstrapping');
  const seq = current.seqHe + 1;
  if (seq > maxSeq(ctx.policy)) {
    throw new GbaError(
      403,
      'ERR_UNKNOWN_SUBSCRIBER',
      'subscriber sequence numbers exhausted; re-provision the subscriber',
    );
  }
  const sqn = composeSqn(seq, ctx.ind, ctx.policy.indBits);
  const av = generateAuthenticationVector(milenage, rand, sqn, Buffer.from(current.amf, 'hex'));
  const nonce = akaNonce(av.rand, av.autn);
  av.xres.fill(0);
  av.ck.fill(0);
  av.ik.fill(0);
  await subscribers.put(impi, { ...current, seqHe: seq });
  const challenge: ChallengeRecord = { impi, sqn, expiresAt: ctx.now() + ctx.challengeLifetimeMs };
  const challenges = tx.collection<ChallengeRecord>(ctx.names.challenges);
  const index = tx.collection<string>(ctx.names.nonceByImpi);
  // One open challenge per subscriber: a new one withdraws the previous (bounded rows under request floods).
  const previous = await index.get(impi);
  if (previous !== undefined) await challenges.delete(previous);
  if (!(await challenges.insert(nonce, challenge))) throw new GbaError(503, 'ERR_CONFLICT', 'RAND collision; retry');
  await index.put(impi, nonce);
  return nonce;
}

export function challengeAnswer(ctx: BsfContext, nonce: string, message: string): HttpAnswer {
  return textAnswer(401, message, {
    'www-authenticate': `Digest realm=${quote(ctx.realm)}, nonce=${quote(nonce)}, algorithm=AKAv1-MD5, qop="auth-int,auth"`,
  });
}

export function freshRand(): Buffer {
  return randomBytes(16);
}
