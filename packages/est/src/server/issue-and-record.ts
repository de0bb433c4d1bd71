// Issues the certificate an allowed decision covers (validity cut to the decision's notAfter, the
// configured CRL distribution points) and has the MEF record it before anything is answered: a
// certificate that was not recorded (serial -> holder) is never delivered, so every certificate
// this CA hands out can be revoked and re-enrolled only by its holder.
import { issueCertificate } from '../certificate/issue-certificate.js';
import { canonicalSerial } from '../certificate/issue-crl.js';
import { parseCertificate } from '../certificate/parse-certificate.js';
import type { Decision } from './decide.js';
import type { EstEnrolmentOperation, EstServerOptions } from './types.js';

export async function issueAndRecord(
  o: EstServerOptions,
  operation: EstEnrolmentOperation,
  decision: Extract<Decision, { outcome: 'allow' }>,
  csr: { subject: Uint8Array; subjectAltName: Parameters<typeof issueCertificate>[1]['subjectAltName'] },
  subjectPublicKeyInfo: Uint8Array,
): Promise<Uint8Array> {
  const certificate = await issueCertificate(o.ca, {
    subject: decision.subject ?? csr.subject,
    subjectPublicKeyInfo,
    subjectAltName: csr.subjectAltName,
    validitySeconds: decision.validitySeconds ?? o.validitySeconds,
    ...(decision.notAfter ? { notAfter: decision.notAfter } : {}),
    ...(o.crlDistributionPoints ? { crlDistributionPoints: o.crlDistributionPoints } : {}),
    ...(o.extendedKeyUsage ? { extendedKeyUsage: o.extendedKeyUsage } : {}),
    ...(o.now ? { now: o.now() } : {}),
  });
  if (o.recordIssued) {
    const p = parseCertificate(certificate, 'issued certificate');
    await o.recordIssued({
      operation,
      ...(decision.holder !== undefined ? { holder: decision.holder } : {}),
      serialNumber: canonicalSerial(Buffer.from(p.serialNumber).toString('hex')),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      certificate,
    });
  }
  return certificate;
}
