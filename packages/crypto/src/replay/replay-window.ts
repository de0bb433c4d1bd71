import { asBuffer } from '../lib/bytes.js';
import { CryptoInputError } from '../lib/error.js';

/** Default window size: RFC 6347 4.1.2.6 prefers 64. */
const DEFAULT_SIZE = 64;
/** RFC 6347 4.1.2.6 (and RFC 4303 3.4.3): a receiver MUST support a window of at least 32. */
const MIN_SIZE = 32;
/** An upper bound keeps the bitmap arithmetic and the persisted form small. */
const MAX_SIZE = 1024;
/** Highest accepted sequence number: 2^64 - 1 (DTLS uses 48 bits, TS-0003 DerivedKey identities fit too). */
export const MAX_SEQUENCE_NUMBER = (1n << 64n) - 1n;
/** Format 1: the 64-entry window, 18 bytes. Format 2: any other size, with the size in the header. */
const FORMAT_64 = 1;
const FORMAT_SIZED = 2;
const LENGTH_64 = 18;
const HEADER_SIZED = 12;

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

function checkSize(size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new CryptoInputError(
      'ERR_WINDOW_SIZE',
      `replay window size must be an integer from ${MIN_SIZE} to ${MAX_SIZE} (RFC 6347 4.1.2.6: at least 32), got ${typeof size === 'number' ? String(size) : typeof size}`,
    );
  }
  return size;
}

const bitmapBytes = (size: number) => Math.ceil(size / 8);

/**
 * An anti-replay sliding window (default 64 entries, at least 32) with the semantics of RFC 6347
 * section 4.1.2.6 (and RFC 4303 section 3.4.3): the right edge is the highest accepted sequence
 * number; a number left of the window, or already marked inside it, is refused; a newer number is
 * accepted and moves the window right. `check` has no side effects, so a caller checks, then verifies
 * the record's MAC (or lets the handshake prove the key), then `accept`s — a forged record never moves
 * the window.
 */
export class ReplayWindow {
  /** The default size (64). */
  static readonly SIZE = DEFAULT_SIZE;
  static readonly MIN_SIZE = MIN_SIZE;
  static readonly MAX_SIZE = MAX_SIZE;
  readonly #size: bigint;
  readonly #mask: bigint;
  /** Highest accepted sequence number, -1n while nothing was accepted. */
  #top = -1n;
  /** Bit i set: sequence number (top - i) was accepted. */
  #bitmap = 0n;

  /** A window of `size` entries (32 to 1024, default 64); throws ERR_WINDOW_SIZE otherwise. */
  constructor(size: number = DEFAULT_SIZE) {
    this.#size = BigInt(checkSize(size));
    this.#mask = (1n << this.#size) - 1n;
  }

  /** How many sequence numbers the window spans. */
  get size(): number {
    return Number(this.#size);
  }

  /** Highest accepted sequence number, or undefined for an empty window. */
  get highest(): bigint | undefined {
    return this.#top < 0n ? undefined : this.#top;
  }

  check(seq: number | bigint): ReplayCheck {
    const s = toSequenceNumber(seq);
    if (s > this.#top) return OK;
    const d = this.#top - s;
    if (d >= this.#size) return TOO_OLD;
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
      const shift = this.#top < 0n ? this.#size : s - this.#top;
      this.#bitmap = shift >= this.#size ? 1n : ((this.#bitmap << shift) | 1n) & this.#mask;
      this.#top = s;
    } else {
      this.#bitmap |= 1n << (this.#top - s);
    }
  }

  /**
   * The same state in a window of another size. Growing fails closed: the numbers that were left of
   * the old window (refused as too old) are marked seen in the new one, so resizing never re-admits a
   * number that may have been accepted before; shrinking forgets the oldest marks (now too old).
   */
  resized(size: number): ReplayWindow {
    const w = new ReplayWindow(size);
    if (this.#top < 0n) return w;
    w.#top = this.#top;
    let bitmap = this.#bitmap & w.#mask;
    // Positions d in [old size, new size), only for numbers >= 0 (d <= top).
    for (let d = this.#size; d < w.#size && d <= this.#top; d++) bitmap |= 1n << d;
    w.#bitmap = bitmap;
    return w;
  }

  /**
   * The 64-entry window: 18 bytes, version 1, flags (1 = non-empty), highest (8 bytes BE), bitmap
   * (8 bytes BE). Any other size: version 2, flags, size (2 bytes BE), highest (8 bytes BE), bitmap
   * (ceil(size / 8) bytes BE).
   */
  toBytes(): Buffer {
    const sized = this.#size !== BigInt(DEFAULT_SIZE);
    const n = bitmapBytes(this.size);
    const head = sized ? HEADER_SIZED : 2;
    const out = Buffer.alloc(head + (sized ? 0 : 8) + n);
    out[0] = sized ? FORMAT_SIZED : FORMAT_64;
    if (sized) out.writeUInt16BE(this.size, 2);
    if (this.#top >= 0n) {
      out[1] = 1;
      out.writeBigUInt64BE(this.#top, sized ? 4 : 2);
      const bitmapAt = sized ? HEADER_SIZED : 10;
      let b = this.#bitmap;
      for (let i = n - 1; i >= 0; i--) {
        out[bitmapAt + i] = Number(b & 0xffn);
        b >>= 8n;
      }
    }
    return out;
  }

  /** The toBytes() form in base64url (24 characters for the 64-entry window), for a text column or JSON. */
  toString(): string {
    return this.toBytes().toString('base64url');
  }

  static fromBytes(bytes: Uint8Array): ReplayWindow {
    const b = asBuffer(bytes, 'serialized replay window');
    const bad = (why: string): never => {
      throw new CryptoInputError('ERR_SERIALIZED_STATE', `serialized replay window rejected: ${why}`);
    };
    if (b.length < 1) bad('empty');
    let size = DEFAULT_SIZE;
    let topAt = 2;
    if (b[0] === FORMAT_64) {
      if (b.length !== LENGTH_64) bad(`expected ${LENGTH_64} bytes, got ${b.length}`);
    } else if (b[0] === FORMAT_SIZED) {
      if (b.length < HEADER_SIZED) bad(`expected at least ${HEADER_SIZED} bytes, got ${b.length}`);
      size = b.readUInt16BE(2);
      if (size < MIN_SIZE || size > MAX_SIZE || size === DEFAULT_SIZE) bad(`window size ${size} not allowed here`);
      if (b.length !== HEADER_SIZED + bitmapBytes(size)) {
        bad(`expected ${HEADER_SIZED + bitmapBytes(size)} bytes for size ${size}, got ${b.length}`);
      }
      topAt = 4;
    } else {
      bad(`unknown format version ${b[0]}`);
    }
    const top = b.readBigUInt64BE(topAt);
    let bitmap = 0n;
    for (const x of b.subarray(topAt + 8)) bitmap = (bitmap << 8n) | BigInt(x);
    const w = new ReplayWindow(size);
    if (b[1] === 0) {
      if (top !== 0n || bitmap !== 0n) bad('empty window with non-zero fields');
      return w;
    }
    if (b[1] !== 1) bad(`unknown flags ${b[1]}`);
    if ((bitmap & 1n) === 0n) bad('the highest sequence number is not marked');
    if (bitmap >> w.#size !== 0n) bad('marks beyond the window');
    // Bits for numbers below 0 cannot be set.
    if (top < w.#size - 1n && bitmap >> (top + 1n) !== 0n) bad('marks sequence numbers below 0');
    w.#top = top;
    w.#bitmap = bitmap;
    return w;
  }

  static parse(text: string): ReplayWindow {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{16,200}$/.test(text)) {
      throw new CryptoInputError(
        'ERR_SERIALIZED_STATE',
        'serialized replay window must be base64url (24 characters for a 64-entry window)',
      );
    }
    return ReplayWindow.fromBytes(Buffer.from(text, 'base64url'));
  }
}
