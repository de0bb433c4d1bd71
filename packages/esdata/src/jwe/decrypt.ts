// Target End-Point decryption of Encryption-Only ESData (TS-0003 8.5.2.2.1 D, E): the credential named by
// "kid", only the algorithms of Tables 8.5.3.2-3 / -4.
import { compactDecrypt, generalDecrypt } from 'jose';
import {
  ESDATA_JWE_ALGS,
  ESDATA_JWE_ENCS,
  type EsdataJweAlg,
  type EsdataJweEnc,
  isJweAlg,
  isJweEnc,
} from '../algorithms.js';
import { type EsdataKeyResolver, resolveKey } from '../keys.js';
import { checkKey } from '../lib/check-key.js';
import { EsdataError } from '../lib/errors.js';
import { fromJoseError } from '../lib/jose-errors.js';

export interface DecryptedJwe {
  readonly plaintext: Uint8Array;
  readonly kid: string;
  readonly alg: EsdataJweAlg;
  readonly enc: EsdataJweEnc;
  readonly cty?: string;
}

type Header = { alg?: string; enc?: string; kid?: string; cty?: string };

function getKey(resolve: EsdataKeyResolver, used: { kid?: string; alg?: string }) {
  return async (protectedHeader: Header | undefined, jwe: { header?: Header; unprotected?: Header }) => {
    const h: Header = { ...jwe.unprotected, ...jwe.header, ...protectedHeader };
    if (!isJweAlg(h.alg))
      throw new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `JWE "alg" ${String(h.alg)} is not allowed (TS-0003 Table 8.5.3.2-3)`,
      );
    if (!isJweEnc(h.enc))
      throw new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `JWE "enc" ${String(h.enc)} is not allowed (TS-0003 Table 8.5.3.2-4)`,
      );
    const key = await resolveKey(resolve, h.kid, h.alg);
    checkKey(h.alg, key, h.enc);
    used.kid = h.kid;
    used.alg = h.alg;
    return key;
  };
}

const options = { keyManagementAlgorithms: [...ESDATA_JWE_ALGS], contentEncryptionAlgorithms: [...ESDATA_JWE_ENCS] };

export async function decryptCompact(jwe: unknown, resolve: EsdataKeyResolver): Promise<DecryptedJwe> {
  if (typeof jwe !== 'string' || jwe.split('.').length !== 5)
    throw new EsdataError('ERR_ESDATA_FORMAT', 'not a JWE compact serialization');
  const used: { kid?: string; alg?: string } = {};
  try {
    const r = await compactDecrypt(jwe, getKey(resolve, used) as never, options);
    const h = r.protectedHeader;
    return {
      plaintext: r.plaintext,
      kid: used.kid!,
      alg: used.alg as EsdataJweAlg,
      enc: h.enc as EsdataJweEnc,
      ...(h.cty ? { cty: h.cty } : {}),
    };
  } catch (e) {
    throw fromJoseError(e, 'decryption');
  }
}

/**
 * jose's general decryption tries every recipient and reports only "decryption failed"; checking the headers
 * first gives the precise reason for an algorithm outside TS-0003 8.5.3.
 */
function precheckJson(jwe: Record<string, unknown>): void {
  let prot: Header = {};
  try {
    if (typeof jwe.protected === 'string') prot = JSON.parse(Buffer.from(jwe.protected, 'base64url').toString('utf8'));
  } catch {
    throw new EsdataError('ERR_ESDATA_FORMAT', 'the JWE Protected Header is not JSON');
  }
  const shared = { ...(jwe.unprotected as Header | undefined), ...prot };
  if (!isJweEnc(shared.enc))
    throw new EsdataError(
      'ERR_ESDATA_ALGORITHM',
      `JWE "enc" ${String(shared.enc)} is not allowed (TS-0003 Table 8.5.3.2-4)`,
    );
  const recipients = Array.isArray(jwe.recipients)
    ? (jwe.recipients as { header?: Header }[])
    : [{ header: jwe.header as Header }];
  for (const r of recipients) {
    const alg = { ...shared, ...r?.header }.alg;
    if (!isJweAlg(alg))
      throw new EsdataError(
        'ERR_ESDATA_ALGORITHM',
        `JWE "alg" ${String(alg)} is not allowed (TS-0003 Table 8.5.3.2-3)`,
      );
  }
}

export async function decryptJson(jwe: unknown, resolve: EsdataKeyResolver): Promise<DecryptedJwe> {
  if (typeof jwe !== 'object' || jwe === null || typeof (jwe as { ciphertext?: unknown }).ciphertext !== 'string')
    throw new EsdataError('ERR_ESDATA_FORMAT', 'not a JWE JSON serialization');
  precheckJson(jwe as Record<string, unknown>);
  const used: { kid?: string; alg?: string } = {};
  try {
    const general = Array.isArray((jwe as { recipients?: unknown }).recipients)
      ? jwe
      : // A flattened object (RFC 7516 7.2.2) is a general one with a single recipient.
        (({ header, encrypted_key, ...rest }: Record<string, unknown>) => ({
          ...rest,
          recipients: [{ header, encrypted_key }],
        }))(jwe as Record<string, unknown>);
    const r = await generalDecrypt(general as never, getKey(resolve, used) as never, options);
    const h = { ...r.sharedUnprotectedHeader, ...r.protectedHeader };
    return {
      plaintext: r.plaintext,
      kid: used.kid!,
      alg: used.alg as EsdataJweAlg,
      enc: h.enc as EsdataJweEnc,
      ...(h.cty ? { cty: h.cty as string } : {}),
    };
  } catch (e) {
    throw fromJoseError(e, 'decryption');
  }
}
