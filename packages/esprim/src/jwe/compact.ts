// The ESPrim Object: a JWE Compact Serialization (RFC 7516 section 7.1) with "alg":"dir" and an empty
// Encrypted Key (TS-0003 8.4.3.2, Table 8.4.3.2-1), AES-GCM content encryption (RFC 7518 section 5.3).
// Written on node:crypto directly: the header is ours to check member by member, and it is the hot path.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { algIdOf, cekLength, type EsprimEnc } from '../algorithms.js';
import { b64u, fromB64u } from '../lib/base64url.js';
import { esprimError } from '../lib/errors.js';
import type { OriginatorESPrimRandObject, ReceiverESPrimRandObject } from '../session/rand-object.js';

/** The JWE Protected Header of an ESPrim Object (TS-0003 Table 8.4.3.2-2). */
export interface ESPrimHeader {
  alg: 'dir';
  enc: EsprimEnc;
  kid: string;
  cty?: string;
  ori: string;
  rri: string;
  oro?: OriginatorESPrimRandObject;
  rro?: ReceiverESPrimRandObject;
}

const cipherName = (enc: EsprimEnc) => `aes-${cekLength(enc) * 8}-gcm` as 'aes-128-gcm';

// 96-bit random IVs (RFC 7518 5.3) drawn from a pooled buffer: one call into the CSPRNG per 341 IVs.
const IV_POOL = 12 * 341;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL;
function freshIv(): Buffer {
  if (ivOffset >= IV_POOL) {
    ivPool = randomBytes(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + 12));
  ivPool.fill(0, ivOffset, ivOffset + 12);
  ivOffset += 12;
  return iv;
}

/** `protectedHeader` is the already encoded header when the caller reuses one (same session, no oro). */
export function encryptCompact(
  header: ESPrimHeader,
  plaintext: Uint8Array,
  cek: Buffer,
  protectedHeader = encodeHeader(header),
): string {
  const iv = freshIv();
  const cipher = createCipheriv(cipherName(header.enc), cek, iv);
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${protectedHeader}..${b64u(iv)}.${b64u(ct)}.${b64u(cipher.getAuthTag())}`;
}

export const encodeHeader = (header: ESPrimHeader): string => b64u(JSON.stringify(header));

export interface ParsedCompact {
  header: ESPrimHeader;
  protectedHeader: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const MAX_OBJECT = 8 * 1024 * 1024;
const HEADER_KEYS = new Set(['alg', 'enc', 'kid', 'cty', 'ori', 'rri', 'oro', 'rro']);

/** Splits and checks the five parts; any malformation is 4000 (TS-0004 Table 7.6.2-1, "unable to parse"). */
export function parseCompact(object: unknown): ParsedCompact {
  if (typeof object !== 'string' || object.length > MAX_OBJECT)
    throw esprimError('unparsable', 'the ESPrim Object is not a JWE compact serialization');
  const parts = object.split('.');
  if (parts.length !== 5)
    throw esprimError('unparsable', `the ESPrim Object has ${parts.length} parts, JWE compact has 5`);
  const [ph, ek, ivs, cts, tags] = parts as [string, string, string, string, string];
  const cached = headerCache.get(ph);
  if (cached && ek !== '') throw esprimError('unparsable', 'the JWE Encrypted Key must be empty with "alg":"dir"');
  const header = cached ?? checkHeader(ph, ek);
  const iv = fromB64u(ivs);
  const ciphertext = fromB64u(cts);
  const tag = fromB64u(tags);
  if (!iv || !ciphertext || !tag || fromB64u(ek) === undefined)
    throw esprimError('unparsable', 'an ESPrim Object part is not base64url');
  if (iv.length !== 12) throw esprimError('unparsable', 'the JWE Initialization Vector must be 96 bits for AES-GCM');
  if (tag.length !== 16) throw esprimError('unparsable', 'the JWE Authentication Tag must be 128 bits');
  return { header, protectedHeader: ph, iv, ciphertext, tag };
}

/**
 * Protected headers already checked, by their encoded form: a session sends the same header on every
 * object, so the JSON parse and member checks run once per header (bounded cache, entries immutable).
 */
const headerCache = new Map<string, ESPrimHeader>();
const HEADER_CACHE_MAX = 4096;
/** Only headers of ordinary size are kept (a relay could otherwise fill memory with huge valid headers). */
const HEADER_CACHE_MAX_LENGTH = 2048;

function checkHeader(ph: string, ek: string): ESPrimHeader {
  const headerBytes = fromB64u(ph);
  if (!headerBytes || fromB64u(ek) === undefined)
    throw esprimError('unparsable', 'an ESPrim Object part is not base64url');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    throw esprimError('unparsable', 'the JWE Protected Header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw esprimError('unparsable', 'the JWE Protected Header is not a JSON object');
  for (const k of Object.keys(header)) {
    // RFC 7516 4.1.13: a "crit" or any member we do not understand must not be ignored.
    if (!HEADER_KEYS.has(k)) throw esprimError('unsupportedOption', `JWE header member '${k}' is not used by ESPrim`);
  }
  if (header.alg !== 'dir')
    throw esprimError('unsupportedOption', `ESPrim uses "alg":"dir", got ${JSON.stringify(header.alg)}`);
  if (typeof header.enc !== 'string' || algIdOf(header.enc) === undefined)
    throw esprimError(
      'unsupportedOption',
      `"enc" ${JSON.stringify(header.enc)} is not an ESPrim AEAD (A128GCM, A192GCM, A256GCM)`,
    );
  if (ek !== '') throw esprimError('unparsable', 'the JWE Encrypted Key must be empty with "alg":"dir"');
  for (const k of ['kid', 'ori', 'rri'] as const) {
    if (typeof header[k] !== 'string' || (header[k] as string).length === 0 || (header[k] as string).length > 512)
      throw esprimError('unparsable', `the JWE header lacks "${k}"`);
  }
  if (header.cty !== undefined && typeof header.cty !== 'string')
    throw esprimError('unparsable', '"cty" must be a string');
  const checked = Object.freeze(header) as unknown as ESPrimHeader;
  if (ph.length <= HEADER_CACHE_MAX_LENGTH) {
    if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
    headerCache.set(ph, checked);
  }
  return checked;
}

/** AES-GCM open; an authentication failure is 4115 ESPRIM_BAD_MAC. */
export function decryptCompact(p: ParsedCompact, cek: Buffer): Buffer {
  try {
    const d = createDecipheriv(cipherName(p.header.enc), cek, p.iv);
    d.setAAD(Buffer.from(p.protectedHeader, 'ascii'));
    d.setAuthTag(p.tag);
    return Buffer.concat([d.update(p.ciphertext), d.final()]);
  } catch {
    throw esprimError('badMac', 'the ESPrim Object failed its integrity check');
  }
}
