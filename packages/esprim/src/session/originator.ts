// The Originator side of ESPrim: TS-0003 8.4.2 B.2 (taking a receiverESPrimRandObject, shared or
// requested, and generating an originatorESPrimRandObject), C.3 (protecting the inner request) and C.11
// (processing the protected inner response).
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { type EsprimEnc, type EsprimProtocolAndAlgID, encOf } from '../algorithms.js';
import { decryptCompact, type ESPrimHeader, encodeHeader, encryptCompact, parseCompact } from '../jwe/compact.js';
import { esprimError } from '../lib/errors.js';
import { CTY_REQUEST, CTY_RESPONSE, parseInnerResponse, serializeInner } from './inner.js';
import {
  newOriginatorRandObject,
  type OriginatorESPrimRandObject,
  parseReceiverRandObject,
  type ReceiverESPrimRandObject,
  randExpiry,
} from './rand-object.js';
import { contentEncryptionKey, sessionESPrimKey } from './session-key.js';

export interface ESPrimOriginatorOptions {
  /** pairwiseESPrimKeyID and pairwiseESPrimKey shared with the Receiver. */
  kid: string;
  pairwiseESPrimKey: Uint8Array;
  /** AEADs this originator is willing to use (default all offered by the receiver). */
  espa?: readonly EsprimProtocolAndAlgID[];
  /** Lifetime of our originatorESPrimRandObject (default 1 hour, capped by the receiver's). */
  randLifetimeMs?: number;
  now?: () => number;
}

export class ESPrimOriginator {
  private receiver: ReceiverESPrimRandObject | undefined;
  private originator: OriginatorESPrimRandObject | undefined;
  private sessionKey: Buffer | undefined;
  private enc: EsprimEnc = 'A256GCM';
  /** Whether a verified response has shown that the Receiver cached our originator rand object. */
  private confirmed = false;
  private confirmedHeader: string | undefined;
  private readonly pending = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly o: ESPrimOriginatorOptions) {
    if (o.pairwiseESPrimKey.length < 16) throw new RangeError('a pairwiseESPrimKey must be at least 128 bits');
    this.now = o.now ?? Date.now;
  }

  /** True when a session exists and neither rand object has expired (B.2c.2). */
  get hasSession(): boolean {
    return this.originator !== undefined && randExpiry(this.originator) > this.now();
  }

  /** B.2c - B.2h: start a session from a receiverESPrimRandObject (esro or a sit=4 ero). */
  startSession(receiverRandObject: unknown): void {
    const recv = parseReceiverRandObject(receiverRandObject);
    if (randExpiry(recv) <= this.now())
      throw esprimError('unknownRecvRandId', 'the receiverESPrimRandObject has expired');
    const orig = newOriginatorRandObject(recv, {
      lifetimeMs: this.o.randLifetimeMs ?? 3_600_000,
      now: new Date(this.now()),
      ...(this.o.espa ? { espa: this.o.espa } : {}),
    });
    this.receiver = recv;
    this.originator = orig;
    this.sessionKey = sessionESPrimKey(this.o.pairwiseESPrimKey, recv, orig);
    // The strongest AEAD both ends accept.
    this.enc = encOf(Math.max(...orig.espa))!;
    this.confirmed = false;
    this.confirmedHeader = undefined;
    this.pending.clear();
  }

  /** C.2 - C.3: the ESPrim Object for an inner request (rt, ec and da are not sent, TS-0004 7.6.2). */
  protectRequest(req: RequestPrimitive): string {
    if (!this.hasSession || !this.receiver || !this.originator || !this.sessionKey)
      throw esprimError('encryption', 'no valid ESPrim session: obtain a receiverESPrimRandObject first');
    const { rt: _rt, ec: _ec, da: _da, ...inner } = req;
    const header: ESPrimHeader = {
      alg: 'dir',
      enc: this.enc,
      kid: this.o.kid,
      cty: CTY_REQUEST,
      ori: this.originator.esri,
      rri: this.receiver.esri,
      // C.3: the full object until a response proved the Receiver holds it.
      ...(this.confirmed ? {} : { oro: this.originator }),
    };
    // Once confirmed, every request of the session has the same protected header: encode it once.
    let encoded: string;
    if (!this.confirmed) encoded = encodeHeader(header);
    else {
      this.confirmedHeader ??= encodeHeader(header);
      encoded = this.confirmedHeader;
    }
    const object = encryptCompact(
      header,
      serializeInner(inner as RequestPrimitive),
      contentEncryptionKey(this.sessionKey, this.enc),
      encoded,
    );
    this.pending.add(req.rqi);
    return object;
  }

  /** C.11: a protected inner response must belong to this session and answer a pending request, once. */
  unprotectResponse(object: unknown): ResponsePrimitive {
    const p = parseCompact(object);
    const h = p.header;
    if (!this.originator || !this.receiver || !this.sessionKey || h.kid !== this.o.kid)
      throw esprimError('unknownKeyId', 'the response names a pairwiseESPrimKey of no current session');
    if (h.ori !== this.originator.esri)
      throw esprimError('unknownOrigRandId', 'the response names another originator rand object');
    if (h.rri !== this.receiver.esri)
      throw esprimError('unknownRecvRandId', 'the response names another receiver rand object');
    if (randExpiry(this.originator) <= this.now())
      throw esprimError('unknownOrigRandId', 'the ESPrim session has expired');
    if (h.enc !== this.enc) throw esprimError('unsupportedOption', 'the response uses another AEAD than the request');
    const plaintext = decryptCompact(p, contentEncryptionKey(this.sessionKey, h.enc));
    if (h.cty !== undefined && h.cty !== CTY_RESPONSE)
      throw esprimError('unparsable', `the ESPrim Object carries "${h.cty}", not an inner response primitive`);
    const rsp = parseInnerResponse(plaintext);
    if (!this.pending.delete(rsp.rqi))
      throw esprimError('decryption', 'the inner response answers no pending request (replayed or unsolicited)');
    this.confirmed = true;
    return rsp;
  }
}
