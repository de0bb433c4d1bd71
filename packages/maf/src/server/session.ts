// Who a request's MAF Handshake authenticated (8.8.2.2): the MAF Client ID bound to the KmID (psk),
// to the KeID a MEF provisioned Km for (RSPF, SUID 21, only for MAF Client Registration), or to the
// verified client certificate's subjectAltName. It reads the transport context's TLS facts only:
// HTTP headers (X-M2M-Origin) never count here, and the socket is the binding's.
// Over MQTT there is no MAF Handshake: the TLS session is with the broker, which authenticated the
// client and proves its originator in the topic (TS-0010 7.1-7.4); the MAF trusts that broker as part
// of its own deployment (docs/maf.md, "Mmaf over MQTT").
import type { TlsContext } from '@m2msec/protocol';
import type { EnrolmentTargetKeys } from '@m2msec/rspf';
import { MafError } from '../lib/errors.js';
import { isAbsoluteId } from '../lib/validate.js';
import { certificateCredentialId, type MafStore } from '../store/maf-store.js';

export type MafSession =
  | { via: 'km'; clientId: string; credentialId: string; kmId: string; expiresAt?: number }
  | { via: 'certificate'; clientId: string; credentialId: string }
  /** Km from a MEF, presented under its KeID before the MAF assigned a KmID (8.8.2.3). */
  | { via: 'rspf'; clientId: string; keId: string; km: Buffer; expiresAt: number }
  /** Over MQTT: the originator the broker authenticated; credentialId 'mqtt:<SP-relative ID>'. */
  | { via: 'mqtt'; clientId: string; credentialId: string };

export interface SessionContext {
  store: MafStore;
  rspfKeys?: EnrolmentTargetKeys;
  /** M2M-SP-ID of broker-authenticated clients (set when served over MQTT). */
  spId?: string;
}

/** What a request carries about its session: the MAF Handshake's TLS facts, or the broker's proof. */
export interface SessionFacts {
  tls: TlsContext | undefined;
  broker?: string;
}

/** The MAF Client ID (an Absolute ID, 8.2.2.3) of a broker-authenticated SP-relative originator. */
function brokerSession(broker: string, ctx: SessionContext): MafSession | undefined {
  if (ctx.spId === undefined || !broker.startsWith('/')) return undefined;
  const clientId = broker.startsWith('//') ? broker : `//${ctx.spId}${broker}`;
  if (!isAbsoluteId(clientId)) return undefined;
  return { via: 'mqtt', clientId, credentialId: `mqtt:${broker}` };
}

export async function mafSessionOf(
  tls: TlsContext | undefined,
  ctx: SessionContext,
  broker?: string,
): Promise<MafSession | undefined> {
  if (broker !== undefined) return tls === undefined ? brokerSession(broker, ctx) : undefined;
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
export async function requireSession(req: SessionFacts, ctx: SessionContext): Promise<MafSession> {
  const s = await mafSessionOf(req.tls, ctx, req.broker);
  if (!s) {
    throw new MafError(
      'FORBIDDEN',
      req.broker !== undefined
        ? 'the broker-authenticated originator is no MAF client here (an SP-relative CSE-ID or AE-ID; docs/maf.md)'
        : 'this TLS session authenticates no MAF client (MAF Handshake, 8.8.2.2)',
    );
  }
  return s;
}

/** Key procedures need the KmID or certificate; a KeID session may only register (8.8.2.3). */
export async function requireKeyClient(
  req: SessionFacts,
  ctx: SessionContext,
): Promise<Exclude<MafSession, { via: 'rspf' }>> {
  const s = await requireSession(req, ctx);
  if (s.via === 'rspf') {
    throw new MafError('FORBIDDEN', 'register first: a MEF-provisioned Km is used under the KmID the MAF assigns');
  }
  return s;
}
