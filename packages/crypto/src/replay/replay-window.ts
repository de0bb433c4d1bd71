import { asBuffer } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';

const SIZE = 64n;
const MASK = (1n << SIZE) - 1n;
/** Highest accepted sequence number: 2^64 - 1 (DTLS uses 48 bits, TS-0003 DerivedKey identities fit too). */
export const MAX_SEQUENCE_NUMBER = (1n << 64n) - 1n;
const FORMAT_VERSION = 1;
const SERIALIZED_LENGTH = 18;

export type ReplayCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'too-old' | 'duplicate' };
const OK: ReplayCheck = Object.freeze({ ok: true });
const TOO_OLD: ReplayCheck = Object.freeze({ ok: false, reason: 'too-old' });
const DUPLICATE: ReplayCheck = Object.freeze({ ok: false, reason: 'duplicate' });

function toSequenceNumber(seq: unknown): bigint {
  if (typeof seq === 'number') {
    if (Number.isSafeInteger(seq) && seq >= 0) return BigInt(seq);
  } else if (typeof seq === 'bigint') {
    if (seq >= 0n && seq <= MAX_SEQUENCE_NUMBER) return seq;
  }
  throw new CryptoInputError(
    'ERR_SEQUENCE_NUMBER',
    `sequence number must be a non-negative safe integer or a bigint up to 2^64-1, got ${typeof seq === 'bigint' || typeof seq === 'number' ? String(seq) : typeof seq}`,
  );
}

/**
 * A 64-entry anti-replay sliding window with the semantics of RFC 6347 section 4.1.2.6 (and
 * RFC 4303 section 3.4.3): the right edge is the highest accepted sequence number; a number left of
 * the window, or already marked inside it, is refused; a newer number is accepted and moves the
 * window right. `check` has no side effects, so a caller checks, then verifies the record's MAC,
 * then `accept`s — a forged record never moves the window.
 */
export class ReplayWindow {
  static readonly SIZE = Number(SIZE);
  /** Highest accepted sequence number, -1n while nothing was accepted. */
  #top = -1n;
  /** Bit i set: sequence number (top - i) was accepted. */
  #bitmap = 0n;

  /** Highest accepted sequence number, or undefined for an empty window. */
  get highest(): bigint | undefined {
    return this.#top < 0n ? undefined : this.#top;
  }

  check(seq: number | bigint): ReplayCheck {
    const s = toSequenceNumber(seq);
    if (s > this.#top) return OK;
    const d = this.#top - s;
    if (d >= SIZE) return TOO_OLD;
    return (this.#bitmap >> d) & 1n ? DUPLICATE : OK;
  }

  /** Marks seq as received. Throws ERR_REPLAY (state unchanged) if check(seq) would refuse it. */
  accept(seq: number | bigint): void {
    const s = toSequenceNumber(seq);
    const verdict = this.check(s);
    if (!verdict.ok) {
      throw new CryptoInputError('ERR_REPLAY', `sequence number ${s} refused: ${verdict.reason}`);
    }
    if (s > this.#top) {
      const shift = this.#top < 0n ? SIZE : s - this.#top;
      this.#bitmap = shift >= SIZE ? 1n : ((this.#bitmap << shift) | 1n) & MASK;
      this.#top = s;
    } else {
      this.#bitmap |= 1n << (this.#top - s);
    }
  }

  /** 18 bytes: version, flags (1 = non-empty), highest (8 bytes BE), bitmap (8 bytes BE). */
  toBytes(): Buffer {
    const out = Buffer.alloc(SERIALIZED_LENGTH);
    out[0] = FORMAT_VERSION;
    if (this.#top >= 0n) {
      out[1] = 1;
      out.writeBigUInt64BE(this.#top, 2);
      out.writeBigUInt64BE(this.#bitmap, 10);
    }
    return out;
  }

  /** The toBytes() form in base64url (24 characters), for a text column or a JSON field. */
  toString(): string {
    return this.toBytes().toString('base64url');
  }

  static fromBytes(bytes: Uint8Array): ReplayWindow {
    const b = asBuffer(bytes, 'serialized replay window');
    const bad = (why: string): never => {
      throw new CryptoInputError('ERR_SERIALIZED_STATE', `serialized replay window rejected: ${why}`);
    };
    if (b.length !== SERIALIZED_LENGTH) bad(`expected ${SERIALIZED_LENGTH} bytes, got ${b.length}`);
    if (b[0] !== FORMAT_VERSION) bad(`unknown format version ${b[0]}`);
    const top = b.readBigUInt64BE(2);
    const bitmap = b.readBigUInt64BE(10);
    const w = new ReplayWindow();
    if (b[1] === 0) {
      if (top !== 0n || bitmap !== 0n) bad('empty window with non-zero fields');
      return w;
    }
    if (b[1] !== 1) bad(`unknown flags ${b[1]}`);
    if ((bitmap & 1n) === 0n) bad('the highest sequence number is not marked');
    // Bits for numbers below 0 cannot be set.
    if (top < SIZE - 1n && bitmap >> (top + 1n) !== 0n) bad('marks sequence numbers below 0');
    w.#top = top;
    w.#bitmap = bitmap;
    return w;
  }

  static parse(text: string): ReplayWindow {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{24}$/.test(text)) {
      throw new CryptoInputError('ERR_SERIALIZED_STATE', 'serialized replay window must be 24 base64url characters');
    }
    return ReplayWindow.fromBytes(Buffer.from(text, 'base64url'));
  }
}
