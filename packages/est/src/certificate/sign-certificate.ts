// Builds a TBSCertificate for the fixed TS-0003 10.1.1.3 profile (v3, ecdsa-with-SHA256) and has
// the secure environment sign it: the CA private key never leaves the SE.
import { randomFillSync } from 'node:crypto';
import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';
import { bitString, seq, time, tlv, unsignedInteger } from '../lib/der.js';
import { p1363ToDer } from '../lib/ecdsa-signature.js';
import { ECDSA_WITH_SHA256_ALGID } from '../lib/oids.js';

const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

export interface TbsFields {
  /** Positive serial magnitude (big-endian); random 127 bits when absent. */
  serialNumber?: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Uint8Array;
  /** Encoded Extension elements. */
  extensions: readonly Uint8Array[];
}

/** A random positive serial of 16 octets at most (RFC 5280 4.1.2.2: <= 20, unpredictable). */
export function randomSerial(): Uint8Array {
  const b = new Uint8Array(16);
  do randomFillSync(b);
  while (b.every((x) => x === 0));
  b[0]! &= 0x7f; // b has 16 bytes
  return b;
}

export function encodeTbsCertificate(f: TbsFields): Uint8Array {
  return seq(
    VERSION_V3,
    unsignedInteger(f.serialNumber ?? randomSerial()),
    ECDSA_WITH_SHA256_ALGID,
    f.issuer,
    seq(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.subjectPublicKeyInfo,
    tlv(0xa3, seq(...f.extensions)),
  );
}

/** Signs `tbs` with the SE key (ECDSA P-256 / SHA-256) and returns the Certificate DER. */
export async function signCertificate(se: SecureEnvironment, key: KeyRef, tbs: Uint8Array): Promise<Uint8Array> {
  const signature = p1363ToDer(await se.sign(key, tbs));
  return seq(tbs, ECDSA_WITH_SHA256_ALGID, bitString(signature));
}
