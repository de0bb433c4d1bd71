// ESData applied to content data (con, or any attribute value) with the m2m:contentSecurity serializations
// of TS-0004 Table 6.3.4.2.38-1: 1 = JOSE compact (media type application/jose), 2 = JOSE JSON
// (application/jose+json), 3 = JOSE JSON then base64. XML (4, 5) is refused: this project offers JOSE only.
// The three security classes of TS-0003 Table 8.5.3.1-1: encryption only, signature only, and
// Nested-Sign-then-Encrypt (8.5.3.4: the inner JWS is RSA or ECDSA, carried in a JWE with cty "JOSE"
// or "JOSE+JSON").
import { ESDATA_NESTED_JWS_ALGS, type EsdataJweEnc } from './algorithms.js';
import { decryptCompact, decryptJson } from './jwe/decrypt.js';
import { encryptCompact, encryptJson, type JweRecipient } from './jwe/encrypt.js';
import { type JwsSigner, signCompact, signJson } from './jws/sign.js';
import { verifyCompact, verifyJson } from './jws/verify.js';
import type { EsdataKeyResolver } from './keys.js';
import { EsdataError } from './lib/errors.js';

export const ContentSecurity = {
  none: 0,
  joseCompact: 1,
  joseJson: 2,
  joseJsonBase64: 3,
  xml: 4,
  xmlBase64: 5,
} as const;
export type JoseContentSecurity = 1 | 2 | 3;
export type EsdataClass = 'encrypt' | 'sign' | 'sign-then-encrypt';

export interface ProtectOptions {
  securityClass: EsdataClass;
  serialization: JoseContentSecurity;
  signers?: readonly JwsSigner[];
  recipients?: readonly JweRecipient[];
  enc?: EsdataJweEnc;
}

function checkSerialization(s: unknown): asserts s is JoseContentSecurity {
  if (s === 4 || s === 5)
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      'XML-ENC / XML-DSIG ESData (contentSecurity 4, 5) is not offered: this End-Point protects data with JOSE only (contentSecurity 1, 2, 3)',
    );
  if (s !== 1 && s !== 2 && s !== 3)
    throw new EsdataError('ERR_ESDATA_FORMAT', `contentSecurity ${String(s)} is not an ESData serialization`);
}

function single<T>(list: readonly T[] | undefined, what: string): T {
  if (list?.length !== 1)
    throw new EsdataError('ERR_ESDATA_KEY', `the compact serialization carries exactly one ${what}`);
  return list[0]!;
}

const encode = (s: JoseContentSecurity, v: string | object): string =>
  typeof v === 'string' ? v : s === 3 ? Buffer.from(JSON.stringify(v)).toString('base64') : JSON.stringify(v);

/** Protects `payload` (the content's bytes or text) and returns the protected content value. */
export async function protectContent(payload: Uint8Array | string, o: ProtectOptions): Promise<string> {
  checkSerialization(o.serialization);
  const compact = o.serialization === 1;
  const enc = o.enc ?? 'A256GCM';
  const sign = () =>
    compact ? signCompact(payload, single(o.signers, 'signature')) : signJson(payload, o.signers ?? []);
  if (o.securityClass === 'sign') return encode(o.serialization, await sign());
  if (o.securityClass === 'encrypt') {
    const out = compact
      ? await encryptCompact(payload, single(o.recipients, 'recipient'), enc)
      : await encryptJson(payload, o.recipients ?? [], enc);
    return encode(o.serialization, out);
  }
  if (o.securityClass !== 'sign-then-encrypt')
    throw new EsdataError('ERR_ESDATA_ALGORITHM', `unknown ESData security class ${String(o.securityClass)}`);
  for (const s of o.signers ?? []) {
    if (!ESDATA_NESTED_JWS_ALGS.includes(s.alg))
      throw new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `Nested-Sign-then-Encrypt signs with RSA or ECDSA only (TS-0003 8.5.3.4), not ${s.alg}`,
      );
  }
  const inner = await sign();
  const out = compact
    ? await encryptCompact(inner as string, single(o.recipients, 'recipient'), enc, 'JOSE')
    : await encryptJson(JSON.stringify(inner), o.recipients ?? [], enc, 'JOSE+JSON');
  return encode(o.serialization, out);
}

export interface UnprotectedContent {
  readonly payload: Uint8Array;
  /** Credentials used (TS-0003 8.5.2.3.1 C.3): the JWS signer and / or the JWE recipient kid. */
  readonly signedBy?: string;
  readonly decryptedWith?: string;
}

function decodeJson(s: JoseContentSecurity, value: unknown): object {
  if (typeof value !== 'string')
    throw new EsdataError('ERR_ESDATA_FORMAT', 'a protected content value must be a string');
  try {
    const text = s === 3 ? Buffer.from(value, 'base64').toString('utf8') : value;
    return JSON.parse(text);
  } catch {
    throw new EsdataError('ERR_ESDATA_FORMAT', `the content is not ${s === 3 ? 'base64-encoded ' : ''}JOSE JSON`);
  }
}

/** The Target End-Point's side: verifies and / or decrypts a protected content value of the expected class. */
export async function unprotectContent(
  value: unknown,
  o: { securityClass: EsdataClass; serialization: JoseContentSecurity; resolve: EsdataKeyResolver },
): Promise<UnprotectedContent> {
  checkSerialization(o.serialization);
  const compact = o.serialization === 1;
  const obj = compact ? value : decodeJson(o.serialization, value);
  if (o.securityClass === 'sign') {
    const v = compact ? await verifyCompact(obj, o.resolve) : await verifyJson(obj, o.resolve);
    return { payload: v.payload, signedBy: v.kid };
  }
  const d = compact ? await decryptCompact(obj, o.resolve) : await decryptJson(obj, o.resolve);
  if (o.securityClass === 'encrypt') {
    if (d.cty === 'JOSE' || d.cty === 'JOSE+JSON')
      throw new EsdataError('ERR_ESDATA_FORMAT', 'the JWE carries a nested JWS; unprotect it as sign-then-encrypt');
    return { payload: d.plaintext, decryptedWith: d.kid };
  }
  const expected = compact ? 'JOSE' : 'JOSE+JSON';
  if (d.cty !== expected)
    throw new EsdataError('ERR_ESDATA_FORMAT', `a Nested-Sign-then-Encrypt JWE has cty "${expected}"`);
  const text = new TextDecoder().decode(d.plaintext);
  let inner: unknown = text;
  if (!compact) {
    try {
      inner = JSON.parse(text);
    } catch {
      throw new EsdataError('ERR_ESDATA_FORMAT', 'the nested JWS is not JSON');
    }
  }
  const opts = { algorithms: ESDATA_NESTED_JWS_ALGS };
  const v = compact ? await verifyCompact(inner, o.resolve, opts) : await verifyJson(inner, o.resolve, opts);
  return { payload: v.payload, signedBy: v.kid, decryptedWith: d.kid };
}

/** m2m:contentInfo: "<media type>:<m2m:encodingType>:<m2m:contentSecurity>" (TS-0004 Table 6.3.3-1). */
export function contentInfo(mediaType: string, encodingType: number, contentSecurity: number): string {
  return contentSecurity === 0 ? `${mediaType}:${encodingType}` : `${mediaType}:${encodingType}:${contentSecurity}`;
}

export function parseContentInfo(cnf: string): { mediaType: string; encodingType: number; contentSecurity: number } {
  const m = /^([^:]+\/[^:]+):([0-9])(?::([0-9]))?$/.exec(cnf);
  if (!m)
    throw new EsdataError(
      'ERR_ESDATA_FORMAT',
      `contentInfo '${cnf.slice(0, 64)}' is not <media type>:<encodingType>[:<contentSecurity>]`,
    );
  return { mediaType: m[1]!, encodingType: Number(m[2]), contentSecurity: m[3] === undefined ? 0 : Number(m[3]) };
}
