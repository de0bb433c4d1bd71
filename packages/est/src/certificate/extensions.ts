// X.509 v3 extensions of the TS-0003 10.1.1 profiles, DER-encoded (RFC 5280 4.2.1).
import { createHash } from 'node:crypto';
import { octetString, oid, seq, smallInteger, TRUE, tlv } from '../lib/der.js';
import { encodeGeneralNames, type GeneralName } from '../lib/general-names.js';
import { encodeNameConstraints, type NameConstraints } from '../lib/name-constraints.js';
import { OID } from '../lib/oids.js';

// OID encodings are computed once: issuance runs per request.
const oidCache = new Map<string, Uint8Array>();
function oidDer(id: string): Uint8Array {
  let d = oidCache.get(id);
  if (!d) {
    d = oid(id);
    oidCache.set(id, d);
  }
  return d;
}

export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oidDer(id), TRUE, octetString(value)) : seq(oidDer(id), octetString(value));
}

/** keyUsage digitalSignature (end entity, TS-0003 10.1.1.1), critical. */
export const KEY_USAGE_END_ENTITY = extension(OID.keyUsage, true, Uint8Array.of(0x03, 0x02, 0x07, 0x80));
/** keyUsage digitalSignature + keyCertSign + cRLSign (CA), critical. */
export const KEY_USAGE_CA = extension(OID.keyUsage, true, Uint8Array.of(0x03, 0x02, 0x01, 0x86));

export function basicConstraintsCa(pathLength?: number): Uint8Array {
  const v = pathLength === undefined ? seq(TRUE) : seq(TRUE, smallInteger(pathLength));
  return extension(OID.basicConstraints, true, v);
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(publicPoint: Uint8Array): Uint8Array {
  return createHash('sha1').update(publicPoint).digest();
}

export const subjectKeyIdentifier = (kid: Uint8Array): Uint8Array =>
  extension(OID.subjectKeyIdentifier, false, octetString(kid));

export const authorityKeyIdentifier = (kid: Uint8Array): Uint8Array =>
  extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, kid)));

/** SAN; critical when the subject is empty (RFC 5280 4.2.1.6). */
export const subjectAltName = (names: readonly GeneralName[], critical: boolean): Uint8Array =>
  extension(OID.subjectAltName, critical, encodeGeneralNames(names));

const ekuCache = new Map<string, Uint8Array>();
export function extendedKeyUsage(purposes: readonly string[]): Uint8Array {
  const k = purposes.join(' ');
  let e = ekuCache.get(k);
  if (!e) {
    e = extension(OID.extKeyUsage, false, seq(...purposes.map((p) => oidDer(p))));
    if (ekuCache.size < 64) ekuCache.set(k, e);
  }
  return e;
}

/** nameConstraints MUST be critical (RFC 5280 4.2.1.10). */
export const nameConstraints = (nc: NameConstraints): Uint8Array =>
  extension(OID.nameConstraints, true, encodeNameConstraints(nc));

/**
 * cRLDistributionPoints (RFC 5280 4.2.1.13), non-critical: one DistributionPoint per URI, each a
 * fullName with one uniformResourceIdentifier (the CRL of the issuing CA, RFC 5280 5).
 */
export function crlDistributionPoints(uris: readonly string[]): Uint8Array {
  return extension(
    OID.cRLDistributionPoints,
    false,
    seq(...uris.map((u) => seq(tlv(0xa0, tlv(0xa0, tlv(0x86, Buffer.from(u, 'latin1'))))))),
  );
}
