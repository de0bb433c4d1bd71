// Which certificates the MEF's EST server issues (TS-0003 8.3.6.2.2 step 3.d: the identity in the CSR
// is validated against the identity the MEF associates with the client): the enrolee must be
// registered with certificateEnrolment and may only get the subjectAltNames the administrator listed.
import { X509Certificate } from 'node:crypto';
import type { CertificateAuthority, EnrolmentPolicy, EstClientIdentity } from '@m2msec/est';
import { type IssuedCertificateCheck, RspfError } from '@m2msec/rspf';
import type { MefStore } from '../store/mef-store.js';
import { sanValue } from '../store/mef-store.js';
import type { EnroleeRecord } from '../store/records.js';

async function enroleeOf(store: MefStore, id: EstClientIdentity): Promise<EnroleeRecord | undefined> {
  if (id.kind === 'psk') {
    return store.pskLookup(id.pskIdentity)?.kind === 'enrolee'
      ? store.enrolees.get(`psk:${id.pskIdentity}`)
      : undefined;
  }
  if (id.kind !== 'certificate') return undefined;
  const sans = id.subjectAltNameText.split(', ').filter(Boolean).map(sanValue);
  if (!id.issuedByThisCa) {
    for (const s of sans) {
      const r = await store.enrolees.get(`cert:${s}`);
      if (r) return r;
    }
    return undefined;
  }
  // Re-enrolment with a certificate this MEF issued: the enrolee whose names it carries.
  for (const { value } of await store.enrolees.list()) {
    if (sans.length > 0 && sans.every((s) => value.subjectAltNames?.includes(s))) return value;
  }
  return undefined;
}

export function estEnrolmentPolicy(store: MefStore): EnrolmentPolicy {
  return async (req) => {
    const rec = await enroleeOf(store, req.clientIdentity);
    if (!rec) return { outcome: 'deny', reason: 'this TLS session did not authenticate a registered enrolee' };
    if (!rec.certificateEnrolment)
      return { outcome: 'deny', reason: `enrolee ${rec.enroleeId} is not configured for certificate enrolment` };
    const allowed = new Set(rec.subjectAltNames ?? []);
    const bad = req.requestedSan.find((n) => !allowed.has(n.value));
    if (req.requestedSan.length === 0 || bad) {
      return {
        outcome: 'deny',
        reason: `subjectAltName ${bad?.value ?? '(none)'} is not registered for ${rec.enroleeId}`,
      };
    }
    return 'allow';
  };
}

export function issuedCertificateCheck(store: MefStore, ca: CertificateAuthority): IssuedCertificateCheck {
  return async (der, principal) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      throw new RspfError('BAD_REQUEST', 'the reported certificate is not DER X.509');
    }
    if (!cert.checkIssued(ca.x509) || !cert.verify(ca.publicKey)) {
      throw new RspfError('FORBIDDEN', 'the reported certificate was not issued by this MEF CA');
    }
    const rec = await store.enroleeRecordFor(principal);
    const sans = (cert.subjectAltName ?? '').split(', ').filter(Boolean).map(sanValue);
    if (!rec || sans.length === 0 || !sans.every((s) => rec.subjectAltNames?.includes(s))) {
      throw new RspfError('FORBIDDEN', 'the reported certificate names an identity this enrolee was not granted');
    }
    return { certificate: Buffer.from(der), trustAnchors: [Buffer.from(ca.certificate)] };
  };
}
