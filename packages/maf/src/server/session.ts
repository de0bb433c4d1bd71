// Who a request's MAF Handshake authenticated (8.8.2.2): the MAF Client ID bound to the KmID (psk),
// to the KeID a MEF provisioned Km for (RSPF, SUID 21, only for MAF Client Registration), or to the
// verified client certificate's subjectAltName. It reads the transport context's TLS facts only:
// HTTP headers (X-M2M-Origin) never count here, and the socket is the binding's.
import type { TlsContext } from '@m2msec/protocol';
import type { EnrolmentTargetKeys } from '@m2msec/rspf';
import { MafError } from '../lib/errors.js';
import { isAbsoluteId } from '../lib/validate.js';
import { certificateCredentialId, type MafStore } from '../store/maf-store.js';

export type MafSession =
  | { via: 'km'; clientId: string; credentialId: string; kmId: string; expiresAt?: number }
  | { via: 'certificate'; clientId: string; credentialId: string }
  /** Km from a MEF, presented under its KeID before the MAF assigned a KmID (8.8.2.3). */
  | { via: 'rspf'; clientId: string; keId: string; km: Buffer; expiresAt: number };

export interface SessionContext {
  store: MafStore;
  rspfKeys?: EnrolmentTargetKeys;
}

export async function mafSessionOf(tls: TlsContext | undefined, ctx: SessionContext): Promise<MafSession | undefined> {
  const identity = tls?.pskIdentity;
  if (identity !== undefined) {
    if (ctx.rspfKeys?.isEnrolmentKeyId(identity)) {
      const k = ctx.rspfKeys.lookup(identity);
      const enrolee = ctx.rspfKeys.enroleeOf(identity);
      if (!k || !enrolee) return undefined;
      if (!isAbsoluteId(enrolee)) {
        throw new MafError('FORBIDDEN', `the MEF names enrolee '${enrolee}', not an Absolute AE-ID / CSE-ID`);
      }
      return { via: 'rspf', clientId: enrolee, keId: identity, km: k.key, expiresAt: k.expiresAt };
    }
    const e = ctx.store.kmLookup(identity);
    if (!e) return undefined;
    return {
      via: 'km',
      clientId: e.clientId,
      credentialId: e.credentialId,
      kmId: identity,
      ...(e.expiresAt !== undefined ? { expiresAt: e.expiresAt } : {}),
    };
  }
  // Present only for a certificate the listener verified (the binding sets it for authorized sessions).
  for (const entry of tls?.peerCertificate?.subjectAltNames ?? []) {
    const value = entry.slice(entry.indexOf(':') + 1);
    if (!value) continue;
    const rec = await ctx.store.credentials.get(certificateCredentialId(value));
    if (rec?.kind === 'certificate')
      return { via: 'certificate', clientId: rec.clientId, credentialId: rec.credentialId };
  }
  return undefined;
}

/** The session's client, or 4103: the Mmaf procedures need an authenticated MAF Handshake. */
export async function requireSession(tls: TlsContext | undefined, ctx: SessionContext): Promise<MafSession> {
  const s = await mafSessionOf(tls, ctx);
  if (!s) throw new MafError('FORBIDDEN', 'this TLS session authenticates no MAF client (MAF Handshake, 8.8.2.2)');
  return s;
}

/** Key procedures need the KmID or certificate; a KeID session may only register (8.8.2.3). */
export async function requireKeyClient(
  tls: TlsContext | undefined,
  ctx: SessionContext,
): Promise<Exclude<MafSession, { via: 'rspf' }>> {
  const s = await requireSession(tls, ctx);
  if (s.via === 'rspf') {
    throw new MafError('FORBIDDEN', 'register first: a MEF-provisioned Km is used under the KmID the MAF assigns');
  }
  return s;
}
