// Admin-side routes beside the oneM2M binding: DerivedKey revocations a trust anchor sends
// (POST /.well-known/m2msec/dk-revocation, JSON body authenticated by its MAC under K_RS-TA, so any
// listener may carry it). Mounted before the binding's router; it only parses its own path.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type AuditEventKind, describeCredential, spRelativeId } from '@m2msec/administration';
import { handleMafKeyNotification, MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import type { TransportContext } from '@m2msec/protocol';
import { handleKeyAnnouncement, KEY_ANNOUNCEMENT_PATH } from '@m2msec/rspf';
import { associationTransportContext } from '@m2msec/security-association';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { InCseAdministration } from './administration.js';
import type { InCseSecurity } from './security.js';

export const DK_REVOCATION_PATH = '/.well-known/m2msec/dk-revocation';
export const AUDIT_PATH = '/.well-known/m2msec/audit';

const AUDIT_KINDS: readonly AuditEventKind[] = ['administrative-action', 'authentication-failure'];

export function adminRouter(
  security: InCseSecurity,
  administration: InCseAdministration,
  idContext: { spId: string; cseId: string },
  log: Logger,
): Router {
  const router = express.Router();
  const tlsContext = associationTransportContext({ registry: security.registry, bindings: security.bindings });
  /** What the connection proved, as the CSE's bindings would say it (plain: nothing). */
  const transportOf = (req: IncomingMessage): TransportContext | undefined => {
    if (!(req.socket as TLSSocket).encrypted) return { binding: 'http', peerAddress: req.socket.remoteAddress ?? '' };
    try {
      return tlsContext(req);
    } catch {
      return undefined;
    }
  };
  // The audit log, for administrators only (docs/administration.md): GET with X-M2M-Origin set to an
  // administrator's originator, over an association that proved that administrator's credential.
  // ?kind=administrative-action|authentication-failure&since=<ISO time>&limit=<1..1000>
  router.get(AUDIT_PATH, async (req, res) => {
    const from = req.get('X-M2M-Origin') ?? '';
    const transport = transportOf(req);
    const originator = spRelativeId(from, idContext) ?? from;
    const admin = transport ? administration.administrators.administratorOf(originator, transport) : undefined;
    const record = {
      channel: 'admin-api',
      to: AUDIT_PATH,
      op: 2,
      ...(transport?.peerAddress ? { peerAddress: transport.peerAddress } : {}),
      ...(originator ? { originator } : {}),
    };
    if (!admin) {
      administration.authenticationFailure({
        ...record,
        rsc: 4106,
        reason: 'audit log requested without an administrator credential',
      });
      res
        .status(403)
        .json({ error: 'the audit log is for administrators over an association that proved their credential' });
      return;
    }
    const kind = req.query.kind;
    const since = req.query.since;
    const limit = req.query.limit;
    if (
      (kind !== undefined && !AUDIT_KINDS.includes(kind as AuditEventKind)) ||
      (since !== undefined && (typeof since !== 'string' || Number.isNaN(Date.parse(since)))) ||
      (limit !== undefined && (typeof limit !== 'string' || !/^[1-9]\d{0,3}$/.test(limit)))
    ) {
      res.status(400).json({ error: `kind is one of ${AUDIT_KINDS.join(', ')}; since an ISO time; limit 1 to 1000` });
      return;
    }
    const events = await administration.audit.query({
      ...(kind ? { kind: kind as AuditEventKind } : {}),
      ...(since ? { since: new Date(since as string) } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
    await administration.audit.record({
      kind: 'administrative-action',
      ...record,
      administrator: admin.principal.name,
      credential: admin.via === 'credential' ? describeCredential(admin.principal.credential) : 'plain-loopback',
      rsc: 2000,
    });
    log.info({ administrator: admin.principal.name, count: events.length }, 'audit log read');
    res.status(200).json({ events });
  });
  router.post(DK_REVOCATION_PATH, express.json({ limit: '64kb' }), async (req, res) => {
    if (!security.derivedKey) {
      res.status(404).json({ error: 'DerivedKey mode is not enabled' });
      return;
    }
    try {
      const revoked = await security.derivedKey.applyRevocation(req.body);
      log.info({ revoked: revoked.map(String) }, 'DerivedKey revocation applied');
      res.status(200).json({ revoked: revoked.map(String) });
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  // MEF notification / enrolee announcement of a KeID (docs/mef.md): starts the key fetch.
  router.post(KEY_ANNOUNCEMENT_PATH, express.json({ limit: '4kb' }), async (req, res) => {
    if (!security.rspfKeys) {
      res.status(404).json({ error: 'this CSE is not an Enrolment Target of a MEF' });
      return;
    }
    const r = await handleKeyAnnouncement(security.rspfKeys, req.body);
    res.status(r.status).json(r.body);
  });
  // The MAF's announcement of a key registered for this CSE (docs/maf.md): retrieve it, answer when held.
  router.post(MAF_KEY_NOTIFICATION_PATH, express.json({ limit: '4kb' }), async (req, res) => {
    if (!security.maf) {
      res.status(404).json({ error: 'this CSE is not a MAF client' });
      return;
    }
    const r = await handleMafKeyNotification(security.maf.keys, req.body);
    res.status(r.status).json(r.body);
  });
  return router;
}
