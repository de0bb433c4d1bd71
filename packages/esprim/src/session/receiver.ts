// The Receiver (Target) side of ESPrim: TS-0003 8.4.2 B.1 / B.2e (issuing receiverESPrimRandObjects),
// C.6 (processing an ESPrim Object, in the order of TS-0004 Table 7.6.2-1) and C.8 (protecting the inner
// response with the same sessionESPrimKey).
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { ALL_ESPRIM_ALGS, algIdOf, type EsprimEnc, type EsprimProtocolAndAlgID, encOf } from '../algorithms.js';
import { decryptCompact, encryptCompact, parseCompact } from '../jwe/compact.js';
import { esprimError } from '../lib/errors.js';
import { CTY_REQUEST, CTY_RESPONSE, parseInnerRequest, serializeInner } from './inner.js';
import type { PairwiseESPrimKeyStore } from './pairwise-keys.js';
import {
  newReceiverRandObject,
  type OriginatorESPrimRandObject,
  parseOriginatorRandObject,
  type ReceiverESPrimRandObject,
  randExpiry,
} from './rand-object.js';
import { ESPrimReplayGuard } from './replay-guard.js';
import { contentEncryptionKey, sessionESPrimKey } from './session-key.js';

export interface ESPrimReceiverOptions {
  keys: PairwiseESPrimKeyStore;
  /** Lifetime of issued receiverESPrimRandObjects (default 1 hour). */
  randLifetimeMs?: number;
  /** AEADs offered (default A128GCM, A192GCM, A256GCM). */
  espa?: readonly EsprimProtocolAndAlgID[];
  /** Bound on unexpired rand objects held (default 65,536). */
  maxRandObjects?: number;
  now?: () => number;
  replayGuard?: ESPrimReplayGuard;
}

/** What the Receiver keeps to answer on the same session (TS-0003 8.4.2 NOTE 4). */
export interface ESPrimSession {
  readonly kid: string;
  /** The identity associated with pairwiseESPrimKey (TS-0003 7.2.2 step 0). */
  readonly identity: string;
  readonly ori: string;
  readonly rri: string;
  readonly enc: EsprimEnc;
  readonly sessionKey: Buffer;
  readonly expiresAt: number;
}

export interface UnprotectedRequest {
  readonly inner: RequestPrimitive;
  readonly session: ESPrimSession;
}

export class ESPrimReceiver {
  private readonly receiverRands = new Map<string, ReceiverESPrimRandObject>();
  private readonly originatorRands = new Map<string, OriginatorESPrimRandObject & { kid: string }>();
  private shared: ReceiverESPrimRandObject | undefined;
  private readonly sessionKeys = new Map<
    string,
    { key: Uint8Array; recv: ReceiverESPrimRandObject; orig: OriginatorESPrimRandObject; sessionKey: Buffer }
  >();
  private readonly now: () => number;
  private readonly guard: ESPrimReplayGuard;
  private readonly lifetime: number;
  private readonly maxRands: number;

  constructor(private readonly o: ESPrimReceiverOptions) {
    this.now = o.now ?? Date.now;
    this.guard = o.replayGuard ?? new ESPrimReplayGuard();
    this.lifetime = o.randLifetimeMs ?? 3_600_000;
    this.maxRands = o.maxRandObjects ?? 1 << 16;
  }

  /** B.2e: a receiverESPrimRandObject unique to the requesting Originator (securityInfo sit=3 -> 4). */
  issueRandObject(): ReceiverESPrimRandObject {
    this.prune();
    if (this.receiverRands.size >= this.maxRands)
      throw esprimError('unknownRecvRandId', 'too many outstanding receiverESPrimRandObjects; retry later');
    const r = newReceiverRandObject({
      shared: false,
      lifetimeMs: this.lifetime,
      now: new Date(this.now()),
      espa: this.espa,
    });
    this.receiverRands.set(r.esri, r);
    return r;
  }

  /** B.1: the sharedReceiverESPrimRandObject for e2eSecInfo (esro), renewed when it has expired. */
  sharedRandObject(): ReceiverESPrimRandObject {
    if (!this.shared || randExpiry(this.shared) <= this.now()) {
      this.shared = newReceiverRandObject({
        shared: true,
        lifetimeMs: this.lifetime,
        now: new Date(this.now()),
        espa: this.espa,
      });
      this.receiverRands.set(this.shared.esri, this.shared);
    }
    return this.shared;
  }

  private get espa(): readonly EsprimProtocolAndAlgID[] {
    return this.o.espa ?? ALL_ESPRIM_ALGS;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, r] of this.receiverRands) if (randExpiry(r) <= now) this.receiverRands.delete(id);
    for (const [id, r] of this.originatorRands) if (randExpiry(r) <= now) this.originatorRands.delete(id);
    this.guard.prune(now);
  }

  /** C.5 - C.6: checks in the order of TS-0004 Table 7.6.2-1, then authenticated decryption and replay. */
  async unprotectRequest(object: unknown): Promise<UnprotectedRequest> {
    const p = parseCompact(object);
    const h = p.header;
    const now = this.now();
    if (h.rro !== undefined) throw esprimError('unparsable', '"rro" is sent only by the Receiver');
    // C.6a: the pairwise key.
    const pk = await this.o.keys.get(h.kid);
    if (!pk || (pk.expiresAt !== undefined && pk.expiresAt <= now))
      throw esprimError('unknownKeyId', 'the pairwiseESPrimKey identifier is unknown or expired');
    // C.6b.1: the receiver rand object must be one we issued and still valid.
    const recv = this.receiverRands.get(h.rri);
    if (!recv || randExpiry(recv) <= now)
      throw esprimError('unknownRecvRandId', 'the receiverESPrimRandObject is unknown or expired');
    // C.6b.2: the originator rand object, in-band ("oro") or cached from an earlier object of this key.
    let orig: OriginatorESPrimRandObject | undefined;
    let fresh = false;
    if (h.oro !== undefined) {
      orig = parseOriginatorRandObject(h.oro);
      if (orig.esri !== h.ori) throw esprimError('unknownOrigRandId', '"ori" does not name the "oro" object');
      const cached = this.originatorRands.get(this.origKey(h.kid, h.ori));
      if (cached && JSON.stringify({ ...cached, kid: undefined }) !== JSON.stringify({ ...orig, kid: undefined }))
        throw esprimError('unknownOrigRandId', 'a different originatorESPrimRandObject already has this esprimRandID');
      fresh = !cached;
    } else {
      orig = this.originatorRands.get(this.origKey(h.kid, h.ori));
    }
    if (!orig) throw esprimError('unknownOrigRandId', 'the originatorESPrimRandObject is unknown');
    const origExpiry = randExpiry(orig);
    // C.6b.2.i: not expired, and not later than the receiver's.
    if (origExpiry <= now || origExpiry > randExpiry(recv))
      throw esprimError(
        'unknownOrigRandId',
        'the originatorESPrimRandObject is expired or outlives the receiver object',
      );
    // C.6b.2.ii and C.6c.1: algorithms.
    if (!recv.esks.includes(orig.esk))
      throw esprimError('unsupportedOption', 'the sessionESPrimKey derivation algorithm was not offered');
    if (!orig.espa.every((a) => recv.espa.includes(a) && encOf(a) !== undefined))
      throw esprimError('unsupportedOption', 'the originator lists AEAD algorithms the receiver did not offer');
    if (!orig.espa.includes(algIdOf(h.enc)!))
      throw esprimError('unsupportedOption', `"enc" ${h.enc} is not among the originator's AEAD algorithms`);
    // C.6b.2.iii and C.6c.2.
    const sessionKey = this.sessionKey(h.kid, pk.key, recv, orig);
    const plaintext = decryptCompact(p, contentEncryptionKey(sessionKey, h.enc));
    if (h.cty !== undefined && h.cty !== CTY_REQUEST)
      throw esprimError('unparsable', `the ESPrim Object carries "${h.cty}", not an inner request primitive`);
    const session: ESPrimSession = {
      kid: h.kid,
      identity: pk.identity,
      ori: h.ori,
      rri: h.rri,
      enc: h.enc,
      sessionKey,
      expiresAt: Math.min(origExpiry, pk.expiresAt ?? Number.POSITIVE_INFINITY),
    };
    // State moves only after the MAC proved the key (DESIGN.md section 7).
    const verdict = this.guard.check(`${h.kid}\u0000${h.ori}\u0000${h.rri}`, p.tag, session.expiresAt, now);
    if (verdict === 'replayed') throw esprimError('decryption', 'the ESPrim Object was already processed (replay)');
    if (verdict === 'full')
      throw esprimError('unknownOrigRandId', 'the originatorESPrimRandObject has been used up; start a new one');
    if (fresh) this.originatorRands.set(this.origKey(h.kid, h.ori), { ...orig, kid: h.kid });
    const inner = parseInnerRequest(plaintext);
    return { inner, session };
  }

  /** C.8: the inner response under the session key of the request. */
  protectResponse(session: ESPrimSession, rsp: ResponsePrimitive): string {
    try {
      const header = {
        alg: 'dir' as const,
        enc: session.enc,
        kid: session.kid,
        cty: CTY_RESPONSE,
        ori: session.ori,
        rri: session.rri,
      };
      return encryptCompact(header, serializeInner(rsp), contentEncryptionKey(session.sessionKey, session.enc));
    } catch {
      throw esprimError('encryption', 'the inner response could not be protected');
    }
  }

  /**
   * The sessionESPrimKey for (key, receiver object, originator object), cached while those same objects are
   * in use (TS-0003 8.4.2 NOTE 4); a different key or object under the same IDs derives afresh.
   */
  private sessionKey(
    kid: string,
    key: Uint8Array,
    recv: ReceiverESPrimRandObject,
    orig: OriginatorESPrimRandObject,
  ): Buffer {
    const id = `${kid}\u0000${orig.esri}\u0000${recv.esri}`;
    const c = this.sessionKeys.get(id);
    if (
      c &&
      c.key === key &&
      c.recv === recv &&
      c.orig.esrv === orig.esrv &&
      c.orig.esrx === orig.esrx &&
      c.orig.esk === orig.esk &&
      c.orig.espa.join() === orig.espa.join()
    )
      return c.sessionKey;
    const sessionKey = sessionESPrimKey(key, recv, orig);
    if (this.sessionKeys.size >= this.maxRands) this.sessionKeys.clear();
    this.sessionKeys.set(id, { key, recv, orig, sessionKey });
    return sessionKey;
  }

  private origKey(kid: string, ori: string): string {
    return `${kid}\u0000${ori}`;
  }
}
