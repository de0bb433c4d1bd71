// Which certificates the MEF's EST server issues (TS-0003 8.3.6.2.2 step 3.d: the identity in the CSR
// is validated against the identity the MEF associates with the client): the enrolee must be
// registered with certificateEnrolment and may only get the subjectAltNames the administrator listed.
// A client authenticated by a certificate this MEF issued (re-enrolment, RFC 7030 4.2.2) is the
// enrolee recorded for that certificate's serial, never "any enrolee whose names cover it"; a revoked
// certificate, or one whose enrolee was revoked, gets nothing (issue 12 item 6).
// notAfter never passes the enrolee's Enrolment Expiry (TS-0003 10.7) counted from issuance.
import { createHmac, X509Certificate } from 'node:crypto';
import {
  type CertificateAuthority,
  canonicalSerial,
  type EnrolmentDecision,
  type EnrolmentPolicy,
  type EstClientIdentity,
  type GeneralName,
} from '@m2msec/est';
import { type IssuedCertificateCheck, RspfError } from '@m2msec/rspf';
import type { MefStore } from '../store/mef-store.js';
import { sanValue } from '../store/mef-store.js';
import type { EnroleeRecord } from '../store/records.js';

type Enrolee = { record: EnroleeRecord } | { refused: string };

async function enroleeOf(
  store: MefStore,
  id: EstClientIdentity,
  o: EstPolicyOptions = {},
): Promise<Enrolee | undefined> {
  if (id.kind === 'psk') {
    if (store.pskLookup(id.pskIdentity)?.kind === 'enrolee') {
      const r = await store.enrolees.get(`psk:${id.pskIdentity}`);
      return r ? { record: r } : undefined;
    }
    // EST over GBA: the B-TID's Enrolee-ID (from the BSF) names the enrolee registered with that Enrolee-ID.
    const enroleeId = o.gbaEnroleeId?.(id.pskIdentity);
    if (enroleeId === undefined) return undefined;
    const r = await store.enroleeById(enroleeId);
    return r ? { record: r } : undefined;
  }
  if (id.kind === 'user') {
    // The HTTP edge admitted this user only if its group is enabled (username / password option).
    const r = await store.enrolees.get(`user:${id.username}`);
    return r ? { record: r } : undefined;
  }
  if (id.kind !== 'certificate') return undefined;
  if (!id.issuedByThisCa || !id.parsed) {
    // A third-party (manufacturer) certificate: the enrolee registered for one of its SAN values.
    for (const s of id.subjectAltNameText.split(', ').filter(Boolean).map(sanValue)) {
      const r = await store.enrolees.get(`cert:${s}`);
      if (r) return { record: r };
    }
    return undefined;
  }
  // A certificate this MEF issued: exactly the enrolee recorded for its serial.
  const serial = canonicalSerial(Buffer.from(id.parsed.serialNumber).toString('hex'));
  const issued = await store.issued.get(serial);
  if (!issued) return { refused: 'this certificate was not recorded as issued by this MEF: re-enrolment refused' };
  if (issued.revokedAt !== undefined) return { refused: 'this certificate is revoked: re-enrolment refused' };
  const r = await store.enrolees.get(issued.holder);
  if (!r || r.enroleeId !== issued.enroleeId) {
    return { refused: 'the enrolee this certificate was issued to is revoked: re-enrolment refused' };
  }
  return { record: r };
}

export interface EstPolicyOptions {
  now?: () => number;
  /**
   * Username / password option: the subject of a certificate issued to a user, `CN=<username>`
   * (the username bound into the credential) or the CSR's.
   */
  userSubject?: 'username' | 'csr';
  /** EST over GBA: the Enrolee-ID the BSF gave for a B-TID held by this listener, if any. */
  gbaEnroleeId?: (btid: string) => string | undefined;
}

export function estEnrolmentPolicy(store: MefStore, o: EstPolicyOptions = {}): EnrolmentPolicy {
  const now = o.now ?? Date.now;
  return async (req): Promise<EnrolmentDecision> => {
    const who = await enroleeOf(store, req.clientIdentity, o);
    if (!who) return { outcome: 'deny', reason: 'this TLS session did not authenticate a registered enrolee' };
    if ('refused' in who) return { outcome: 'deny', reason: who.refused };
    const rec = who.record;
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
    const user = req.clientIdentity.kind === 'user' ? req.clientIdentity.username : undefined;
    return {
      outcome: 'allow',
      notAfter: new Date(now() + rec.enrolmentExpirySeconds * 1000),
      holder: rec.principal,
      ...(user !== undefined && (o.userSubject ?? 'username') === 'username' ? { subject: `CN=${user}` } : {}),
    };
  };
}

/** EstServerOptions.recordIssued: serial -> the enrolee record that authorised it. */
export function recordEstIssuance(store: MefStore, now: () => number = Date.now) {
  return async (i: import('@m2msec/est').IssuedCertificate): Promise<void> => {
    if (i.holder === undefined) throw new RspfError('INTERNAL', 'an EST certificate was allowed without a holder');
    const rec = await store.enrolees.get(i.holder);
    if (!rec) throw new RspfError('FORBIDDEN', 'the enrolee was revoked while its certificate was being issued');
    await store.recordIssued({
      serialNumber: i.serialNumber,
      holder: i.holder,
      enroleeId: rec.enroleeId,
      operation: i.operation,
      issuedAt: now(),
      notAfter: i.notAfter.getTime(),
    });
    // The enrolee may have been revoked between the check above and the insert: then this
    // certificate is revoked too and never delivered (MefStore.revokeEnrolee's second pass covers
    // the other order).
    if (!(await store.enrolees.get(i.holder))) {
      await store.revokeCertificate(i.serialNumber, 'cessationOfOperation');
      throw new RspfError('FORBIDDEN', 'the enrolee was revoked while its certificate was being issued');
    }
  };
}

export function issuedCertificateCheck(
  store: MefStore,
  ca: CertificateAuthority,
  isRevoked: (serial: string) => boolean = () => false,
): IssuedCertificateCheck {
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
    if (isRevoked(canonicalSerial(cert.serialNumber))) {
      throw new RspfError('FORBIDDEN', 'the reported certificate is revoked');
    }
    const rec = await store.enroleeRecordFor(principal);
    const sans = (cert.subjectAltName ?? '').split(', ').filter(Boolean).map(sanValue);
    if (!rec || sans.length === 0 || !sans.every((s) => rec.subjectAltNames?.includes(s))) {
      throw new RspfError('FORBIDDEN', 'the reported certificate names an identity this enrolee was not granted');
    }
    return { certificate: Buffer.from(der), trustAnchors: [Buffer.from(ca.certificate)] };
  };
}

/** Label of the serverkeygen key-encryption key derived from Kpm (design: the key is never Kpm itself). */
export const SERVERKEYGEN_KEK_LABEL = 'm2msec EST serverkeygen KEK';

/**
 * EstServerOptions.serverKeygenSharedKey (RFC 7030 4.4.1.1) for PSK enrolees: the pre-shared key a
 * DecryptKeyIdentifier may name is the session's own, identified by its KpmID (UTF-8), and is
 * HMAC-SHA-256(Kpm, "m2msec EST serverkeygen KEK"), so the envelope key is independent of the
 * MEF Handshake key. Any other identifier, or a target's PSK identity, names nothing.
 */
export function serverKeygenSharedKey(store: MefStore) {
  return (keyIdentifier: Uint8Array, identity: EstClientIdentity): Uint8Array | undefined => {
    if (identity.kind !== 'psk' || Buffer.from(keyIdentifier).toString('utf8') !== identity.pskIdentity)
      return undefined;
    const entry = store.pskLookup(identity.pskIdentity);
    if (entry?.kind !== 'enrolee') return undefined;
    return createHmac('sha256', entry.key).update(SERVERKEYGEN_KEK_LABEL).digest();
  };
}

/**
 * EstServerOptions.revokeCertificate (fullcmc id-cmc-revokeRequest, RFC 5272 6.11): an enrolee may
 * revoke a certificate this MEF issued to the same enrolee record as the certificate it signs with;
 * the CRL is regenerated before the success is answered.
 */
export function cmcRevocation(store: MefStore, afterRevocation?: () => Promise<unknown>) {
  return async (r: { serialNumber: string; reason?: string; requester: EstClientIdentity }): Promise<true | string> => {
    const id = r.requester;
    if (id.kind !== 'certificate' || !id.issuedByThisCa || !id.parsed)
      return 'only a certificate of this MEF CA may revoke';
    const own = await store.issued.get(canonicalSerial(Buffer.from(id.parsed.serialNumber).toString('hex')));
    const target = await store.issued.get(r.serialNumber);
    if (!own || own.revokedAt !== undefined || !target || target.holder !== own.holder) {
      return 'no certificate with this serial was issued to this enrolee';
    }
    await store.revokeCertificate(r.serialNumber, r.reason ?? 'unspecified');
    await afterRevocation?.();
    return true;
  };
}

/**
 * EstServerOptions.expectedSan (/csrattrs, RFC 7030 4.5, TS-0003 8.3.6.2.2 step 2): the names the
 * administrator registered for the enrolee this session authenticates, so the CSR attributes announce
 * exactly what the policy will allow. Values with a URI scheme are URIs, the others DNS names.
 */
export function expectedSanPolicy(store: MefStore, o: EstPolicyOptions = {}) {
  return async (identity: EstClientIdentity): Promise<GeneralName[] | undefined> => {
    const who = await enroleeOf(store, identity, o);
    if (!who || 'refused' in who || !who.record.certificateEnrolment) return undefined;
    return (who.record.subjectAltNames ?? []).map((v) =>
      /^[A-Za-z][A-Za-z0-9+.-]*:/.test(v) ? { type: 'uri' as const, value: v } : { type: 'dns' as const, value: v },
    );
  };
}
