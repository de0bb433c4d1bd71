// The BSF on the Ub reference point (3GPP TS 33.220 4.5.2, TS 24.109 5.3.2): HTTP Digest AKA (RFC 3310).
//   initial request        -> 401 with a fresh AKA challenge (SEQ_HE + 1)
//   answer with RES        -> 200 with B-TID and lifetime; Ks = CK || IK stored sealed under the B-TID
//   answer with auts       -> MAC-S checked (f1*), SEQ_HE resynchronised, 401 with a new challenge
// A nonce is accepted once: the challenge row is deleted in the transaction that uses it.
import { constantTimeEqual } from '@m2msec/crypto';
import { verifyAuts } from '../aka/auts.js';
import { resynchronisedSeq } from '../aka/sqn-policy.js';
import { type DigestInput, digestResponse, digestRspauth } from '../digest/compute-digest.js';
import { quote } from '../digest/parse-digest.js';
import { zeroise } from '../lib/bytes.js';
import { GbaError, isGbaError } from '../lib/errors.js';
import { splitSqn } from '../lib/sqn.js';
import { formatBtid } from '../lib/validate.js';
import { bodyAnswer, errorAnswer, type HttpAnswer } from './answer.js';
import { BSF_XML_MEDIA_TYPE, formatBootstrappingInfo } from './bootstrapping-info.js';
import { type BsfContext, getSubscriber, withMilenage } from './context.js';
import { challengeAnswer, freshRand, recordChallenge } from './issue-challenge.js';
import { parseUbRequest, type UbRequest } from './parse-ub-request.js';
import type { BootstrapRecord, ChallengeRecord } from './records.js';

export interface UbHttpRequest {
  readonly method: string;
  /** The request target as sent (path and query), compared with the Digest uri parameter. */
  readonly uri: string;
  readonly authorization?: string;
}

export async function handleUb(ctx: BsfContext, req: UbHttpRequest): Promise<HttpAnswer> {
  try {
    if (req.method !== 'GET') {
      throw new GbaError(405, 'ERR_METHOD', 'the Ub accepts GET only (TS 24.109 5.3.2)');
    }
    const request = parseUbRequest(req.authorization, req.uri, ctx.realm);
    const subscriber = await getSubscriber(ctx, request.impi);
    if (request.kind === 'initial') {
      const nonce = await withMilenage(ctx, subscriber, (m) =>
        ctx.store.transaction((tx) => recordChallenge(ctx, tx, request.impi, m, freshRand())),
      );
      return challengeAnswer(ctx, nonce, 'answer the AKA challenge');
    }
    return await answer(ctx, request, subscriber);
  } catch (e) {
    if (isGbaError(e)) return errorAnswer(e, e.status === 405 ? { allow: 'GET' } : {});
    throw e;
  }
}

async function answer(
  ctx: BsfContext,
  req: Extract<UbRequest, { kind: 'answer' }>,
  subscriber: Awaited<ReturnType<typeof getSubscriber>>,
): Promise<HttpAnswer> {
  const challenges = ctx.store.collection<ChallengeRecord>(ctx.names.challenges);
  const challenge = await challenges.get(req.nonce);
  const usable = challenge !== undefined && challenge.impi === req.impi && challenge.expiresAt > ctx.now();
  return withMilenage(ctx, subscriber, async (m) => {
    const replayed = async () =>
      challengeAnswer(
        ctx,
        await ctx.store.transaction((tx) => recordChallenge(ctx, tx, req.impi, m, freshRand())),
        'nonce already used; answer the new challenge',
      );
    if (!usable) {
      // Unknown, used, expired or another subscriber's nonce: never verified, a new challenge instead.
      const nonce = await ctx.store.transaction(async (tx) => {
        if (challenge && challenge.impi === req.impi) await tx.collection(ctx.names.challenges).delete(req.nonce);
        return recordChallenge(ctx, tx, req.impi, m, freshRand());
      });
      return challengeAnswer(ctx, nonce, 'nonce unknown, expired or already used; answer the new challenge');
    }
    const digest = (password: Uint8Array): DigestInput => ({
      username: req.impi,
      realm: req.realm,
      password,
      nonce: req.nonce,
      nc: req.nc,
      cnonce: req.cnonce,
      qop: req.qop,
      uri: req.uri,
    });
    // A consumed challenge takes the subscriber's open-challenge pointer with it (when it names this
    // nonce), so the purge never has to look for dangling pointers (it walks only expired challenges).
    const dropPointer = async (tx: Pick<typeof ctx.store, 'collection'>) => {
      const pointer = tx.collection<string>(ctx.names.nonceByImpi);
      if ((await pointer.get(req.impi)) === req.nonce) await pointer.delete(req.impi);
    };
    const consume = () =>
      ctx.store.transaction(async (tx) => {
        await tx.collection(ctx.names.challenges).delete(req.nonce);
        await dropPointer(tx);
      });

    if (req.auts) {
      // RFC 3310 3.4: on a synchronisation failure the client signs with an empty password.
      if (
        !constantTimeEqual(Buffer.from(digestResponse(digest(new Uint8Array(0)), 'GET')), Buffer.from(req.response))
      ) {
        await consume();
        throw new GbaError(
          403,
          'ERR_AUTHENTICATION_FAILED',
          'authentication failed: the synchronisation-failure response does not verify',
        );
      }
      const sqnMs = verifyAuts(m, req.rand, req.auts);
      if (sqnMs === undefined) {
        await consume();
        throw new GbaError(403, 'ERR_SYNC_FAILURE', 'AUTS verification failed (MAC-S); the challenge is withdrawn');
      }
      const nonce = await ctx.store.transaction(async (tx) => {
        if (!(await tx.collection(ctx.names.challenges).delete(req.nonce))) return undefined;
        const subs = tx.collection<typeof subscriber>(ctx.names.subscribers);
        const current = await subs.get(req.impi);
        if (!current)
          throw new GbaError(403, 'ERR_UNKNOWN_SUBSCRIBER', 'subscriber not authorised for GBA bootstrapping');
        const seqMs = splitSqn(sqnMs, ctx.policy.indBits).seq;
        await subs.put(req.impi, { ...current, seqHe: resynchronisedSeq(current.seqHe, seqMs, ctx.policy) });
        return recordChallenge(ctx, tx, req.impi, m, freshRand());
      });
      if (nonce === undefined) return replayed();
      return challengeAnswer(ctx, nonce, 'sequence number resynchronised (AUTS); answer the new challenge');
    }

    const { res, ck, ik } = m.f2345(req.rand);
    const input = digest(res);
    try {
      if (!constantTimeEqual(Buffer.from(digestResponse(input, 'GET')), Buffer.from(req.response))) {
        await consume();
        throw new GbaError(403, 'ERR_AUTHENTICATION_FAILED', 'authentication failed: the response does not verify');
      }
      const now = ctx.now();
      const expiresAt = now + ctx.keyLifetimeMs;
      const btid = formatBtid(req.rand, ctx.bsfDomain);
      const ks = Buffer.concat([ck, ik]);
      let sealed: Awaited<ReturnType<typeof ctx.sealer.seal>>;
      try {
        sealed = await ctx.sealer.seal('ks', btid, ks);
      } finally {
        zeroise(ks);
      }
      const record: BootstrapRecord = {
        btid,
        impi: req.impi,
        rand: req.rand.toString('base64'),
        ks: sealed,
        bootstrapTime: now,
        expiresAt,
      };
      const stored = await ctx.store.transaction(async (tx) => {
        if (!(await tx.collection(ctx.names.challenges).delete(req.nonce))) return false;
        await dropPointer(tx);
        const index = tx.collection<string>(ctx.names.btidByImpi);
        const bootstraps = tx.collection<BootstrapRecord>(ctx.names.bootstraps);
        const previous = await index.get(req.impi);
        // A new bootstrapping run replaces the subscriber's previous Ks (TS 33.220 4.5.2).
        if (previous !== undefined) await bootstraps.delete(previous);
        await bootstraps.put(btid, record);
        await index.put(req.impi, btid);
        return true;
      });
      if (!stored) return replayed();
      const body = formatBootstrappingInfo(btid, new Date(expiresAt));
      const rspauth = digestRspauth(input, Buffer.from(body));
      return bodyAnswer(200, BSF_XML_MEDIA_TYPE, body, {
        'authentication-info': `qop=${req.qop}, rspauth=${quote(rspauth)}, cnonce=${quote(req.cnonce)}, nc=${req.nc}`,
      });
    } finally {
      zeroise(res, ck, ik);
    }
  });
}
