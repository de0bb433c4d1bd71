// Key checks jose leaves to the caller: symmetric key lengths (RFC 7518 3.2 for HMAC, exact sizes for key
// wrap and "dir"), and that a symmetric algorithm gets raw bytes, an asymmetric one a KeyObject.
import { KeyObject } from 'node:crypto';
import { type EsdataJweAlg, type EsdataJweEnc, type EsdataJwsAlg, symmetricKeyLength } from '../algorithms.js';
import { EsdataError } from './errors.js';

export function checkKey(alg: EsdataJwsAlg | EsdataJweAlg, key: Uint8Array | KeyObject, enc?: EsdataJweEnc): void {
  const len = symmetricKeyLength(alg, enc);
  if (len) {
    const n = key instanceof KeyObject ? (key.type === 'secret' ? key.symmetricKeySize! : -1) : key.length;
    if (n < 0) throw new EsdataError('ERR_ESDATA_KEY', `${alg} needs a symmetric key`);
    if (n < len.min || (len.max !== undefined && n > len.max))
      throw new EsdataError(
        'ERR_ESDATA_KEY',
        `${alg}${enc ? `/${enc}` : ''} needs a ${len.min}${len.max === undefined ? '+' : ''}-byte key, got ${n}`,
      );
  } else if (!(key instanceof KeyObject) || key.type === 'secret') {
    throw new EsdataError('ERR_ESDATA_KEY', `${alg} needs a public or private key (KeyObject)`);
  }
}
