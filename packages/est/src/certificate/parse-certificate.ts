// Reads the fields of an X.509 certificate this package needs: names, validity, key and
// extensions. Used on CA certificates and on the TLS client certificate presented for
// re-enrolment; strict DER.
import { EstError } from '../errors.js';
import {
  bytesEqual,
  children,
  content,
  expectTlv,
  oidToString,
  readTime,
  readTlv,
  type Tlv,
  whole,
} from '../lib/der.js';
import { type GeneralName, parseGeneralNames } from '../lib/general-names.js';
import { EC_P256_SPKI_ALGID } from '../lib/oids.js';

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly serialNumber: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Uncompressed point when the key is P-256. */
  readonly publicPoint?: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  /** DER ECDSA-Sig-Value (or other algorithm's signature bytes). */
  readonly signature: Uint8Array;
  /** Extension values (DER inside the OCTET STRING) by dotted OID. */
  readonly extensions: ReadonlyMap<string, { critical: boolean; value: Uint8Array }>;
}

export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  const top = expectTlv(der, 0, 0x30, der.length, what);
  if (top.end !== der.length) throw bad(`${what}: trailing bytes`);
  const [tbs, sigAlg, sig] = children(der, top, what);
  if (!tbs || !sigAlg || !sig || sig.tag !== 0x03) throw bad(`${what}: not a Certificate`);
  const f = children(der, tbs, what);
  let i = 0;
  if (f[0]?.tag === 0xa0) i++;
  const [serial, , issuer, validity, subject, spki] = f.slice(i, i + 6);
  if (!serial || !issuer || !validity || !subject || !spki || serial.tag !== 0x02 || validity.tag !== 0x30) {
    throw bad(`${what}: malformed TBSCertificate`);
  }
  const [nb, na] = children(der, validity, `${what} validity`);
  if (!nb || !na) throw bad(`${what}: malformed validity`);
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  const extField = f.slice(i + 6).find((t) => t.tag === 0xa3);
  if (extField) {
    const list = readTlv(der, extField.contentStart, extField.end, `${what} extensions`);
    for (const ext of children(der, list, `${what} extension`)) {
      const parts = children(der, ext, `${what} extension`);
      // Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }: anything shorter is malformed
      // (a fuzz finding: reading past the parts threw a TypeError instead of EstError).
      if (parts.length < 2 || parts.length > 3) throw bad(`${what}: malformed extension`);
      const value = parts[parts.length - 1]!;
      const critical = parts.length === 3 && der[parts[1]!.contentStart] !== 0;
      extensions.set(oidToString(content(der, parts[0]!)), { critical, value: content(der, value) });
    }
  }
  return {
    der,
    tbs: whole(der, tbs),
    serialNumber: content(der, serial),
    issuer: whole(der, issuer),
    subject: whole(der, subject),
    notBefore: readTime(der, nb, `${what} notBefore`),
    notAfter: readTime(der, na, `${what} notAfter`),
    subjectPublicKeyInfo: whole(der, spki),
    ...p256Point(der, spki),
    signatureAlgorithm: whole(der, sigAlg),
    signature: der.subarray(sig.contentStart + 1, sig.end),
    extensions,
  };
}

/** SAN of a parsed certificate under this package's profile (URI / dNSName), or undefined. */
export function certificateSubjectAltName(cert: ParsedCertificate): GeneralName[] | undefined {
  const e = cert.extensions.get('2.5.29.17');
  if (!e) return undefined;
  const t = readTlv(e.value, 0, e.value.length, 'subjectAltName');
  return parseGeneralNames(e.value, t);
}

function p256Point(der: Uint8Array, spki: Tlv): { publicPoint?: Uint8Array } {
  const [alg, key] = children(der, spki, 'subjectPublicKeyInfo');
  if (!alg || !key || !bytesEqual(whole(der, alg), EC_P256_SPKI_ALGID)) return {};
  if (key.end - key.contentStart !== 66 || der[key.contentStart + 1] !== 0x04) return {};
  return { publicPoint: der.subarray(key.contentStart + 1, key.end) };
}

function bad(m: string): EstError {
  return new EstError(400, m);
}
