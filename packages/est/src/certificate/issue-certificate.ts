// Issues an end-entity certificate of the TS-0003 10.1.1 profile: P-256 key, ecdsa-with-SHA256,
// keyUsage digitalSignature (critical), the SAN (critical if the subject is empty), key
// identifiers, optional extendedKeyUsage; random serial; validity capped at the CA's.

import { readP256Spki } from '../csr/parse-csr.js';
import { EstError } from '../errors.js';
import { readTlv } from '../lib/der.js';
import { checkGeneralName, type GeneralName } from '../lib/general-names.js';
import { checkNameConstraints } from '../lib/name-constraints.js';
import { OID } from '../lib/oids.js';
import { encodeName } from '../lib/x509.js';
import type { CertificateAuthority } from './certificate-authority.js';
import {
  authorityKeyIdentifier,
  crlDistributionPoints,
  extendedKeyUsage,
  KEY_USAGE_END_ENTITY,
  keyIdentifier,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js';
import { encodeTbsCertificate, signCertificate } from './sign-certificate.js';

export interface CertificateContent {
  /** Subject Name as DER, or an RFC 4514 string. */
  subject: Uint8Array | string;
  /** SubjectPublicKeyInfo DER (id-ecPublicKey / P-256, uncompressed). */
  subjectPublicKeyInfo: Uint8Array;
  subjectAltName: readonly GeneralName[];
  /** Seconds; default 365 days. */
  validitySeconds?: number;
  /**
   * Latest notAfter, whatever validitySeconds says (e.g. the enrolee's Enrolment Expiry, TS-0003
   * 10.7): a certificate never outlives the enrolment it was issued under.
   */
  notAfter?: Date;
  /** URIs of the issuing CA's CRL (cRLDistributionPoints, RFC 5280 4.2.1.13). */
  crlDistributionPoints?: readonly string[];
  /** Purpose OIDs; default TLS client + server authentication. [] omits the extension. */
  extendedKeyUsage?: readonly string[];
  /** Issuance time; default now. notBefore is backdated by `backdateSeconds` (default 60) for clock skew. */
  now?: Date;
  backdateSeconds?: number;
}

const EMPTY_NAME_LENGTH = 2; // 30 00
const DEFAULT_EKU = [OID.clientAuth, OID.serverAuth];

export async function issueCertificate(ca: CertificateAuthority, c: CertificateContent): Promise<Uint8Array> {
  if (c.subjectAltName.length === 0) throw new EstError(400, 'a certificate of this profile needs a subjectAltName');
  for (const n of c.subjectAltName) {
    checkGeneralName(n);
    checkNameConstraints(n, ca.nameConstraints);
  }
  const spki = c.subjectPublicKeyInfo;
  const point = readP256Spki(spki, readTlv(spki, 0, spki.length, 'subjectPublicKeyInfo'));
  const subject = typeof c.subject === 'string' ? encodeName(c.subject) : c.subject;
  const nowMs = (c.now ?? new Date()).getTime();
  const notBefore = new Date(Math.floor(nowMs / 1000) * 1000 - (c.backdateSeconds ?? 60) * 1000);
  let notAfter = new Date(Math.floor(nowMs / 1000) * 1000 + (c.validitySeconds ?? 365 * 86_400) * 1000);
  if (notAfter > ca.parsed.notAfter) notAfter = ca.parsed.notAfter;
  if (notAfter <= notBefore) throw new EstError(503, 'the CA certificate has expired');
  if (c.notAfter && notAfter > c.notAfter) {
    notAfter = new Date(Math.floor(c.notAfter.getTime() / 1000) * 1000);
    if (notAfter <= notBefore) throw new EstError(403, 'the enrolment has expired: no certificate can be issued');
  }
  const eku = c.extendedKeyUsage ?? DEFAULT_EKU;
  const extensions = [
    KEY_USAGE_END_ENTITY,
    subjectAltName(c.subjectAltName, subject.length === EMPTY_NAME_LENGTH),
    subjectKeyIdentifier(keyIdentifier(point)),
    authorityKeyIdentifier(ca.keyIdentifier),
  ];
  if (eku.length) extensions.push(extendedKeyUsage(eku));
  if (c.crlDistributionPoints?.length) extensions.push(crlDistributionPoints(c.crlDistributionPoints));
  const tbs = encodeTbsCertificate({
    issuer: ca.parsed.subject,
    subject,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: spki,
    extensions,
  });
  return signCertificate(ca.se, ca.key, tbs);
}
