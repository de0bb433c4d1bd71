// Admin-side routes beside the oneM2M binding: the audit log for administrators (GET
// /.well-known/m2msec/audit, @m2msec/administration decides who may read it), DerivedKey revocations a
// trust anchor sends (POST /.well-known/m2msec/dk-revocation, JSON body authenticated by its MAC under
// K_RS-TA, so any listener may carry it), MEF / MAF key announcements, and
// DELETE /.well-known/m2msec/credentials/psk/<KpsaID>: revokes a Kpsa while the CSE runs (key, binding,
// live sessions; docs/certificate-lifecycle.md), for an administrator principal proven by its association
// only, never on the plain listener. Mounted before the binding's router; it only parses its own paths.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AUDIT_PATH, auditLogReader } from '@m2msec/administration';
import type { Cse } from '@m2msec/cse';
import { handleMafKeyNotification, MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import { parseOriginator, type TransportContext, toSpRelativeOriginator } from '@m2msec/protocol';
import { handleKeyAnnouncement, KEY_ANNOUNCEMENT_PATH } from '@m2msec/rspf';
import { associationTransportContext } from '@m2msec/security-association';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { InCseAdministration } from './administration.js';
import { EXPLAIN_PATH, explainRoute } from './explain-route.js';
import { type InCseSecurity, UnknownCredentialError } from './security.js';

export const DK_REVOCATION_PATH = '/.well-known/m2msec/dk-revocation';
export const CREDENTIALS_PATH = '/.well-known/m2msec/credentials';
export const SESSIONS_PATH = '/.well-known/m2msec/sessions';

export function adminRouter(
  security: InCseSecurity,
  administration: InCseAdministration,
  idContext: { spId: string; cseId: string },
  log: Logger,
  cse?: Pick<Cse, 'explainAccess'>,
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
  // The audit log, for administrators only (docs/administration.md).
  const readAuditLog = auditLogReader({ ...administration, idContext });
  router.get(AUDIT_PATH, async (req, res) => {
    const answer = await readAuditLog({
      from: req.get('X-M2M-Origin') ?? '',
      transport: transportOf(req),
      query: req.query as Record<string, unknown>,
    });
    if (answer.status === 200) log.info({ path: AUDIT_PATH }, 'audit log read');
    res.status(answer.status).json(answer.body);
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
  /** The administrator proven by the request's association (never the plain listener), or a 403 sent. */
  const credentialAdministrator = (req: express.Request, res: express.Response, what: string) => {
    const transport = transportOf(req);
    let originator = '';
    try {
      originator = toSpRelativeOriginator(parseOriginator(req.get('X-M2M-Origin') ?? ''), idContext);
    } catch {
      /* no administrator */
    }
    const admin = transport?.association
      ? administration.administrators.administratorOf(originator, transport)
      : undefined;
    if (admin?.via !== 'credential') {
      administration.authenticationFailure({
        channel: 'admin-api',
        originator,
        reason: `${what} without an administrator association`,
      });
      res.status(403).json({ error: `${what} needs a security association bound to an administrator` });
      return undefined;
    }
    return { originator, name: admin.principal.name };
  };
  // Live security associations and the Kpsa credentials, read-only, for the console (docs/console.md):
  // identifiers and facts only, never key material.
  router.get(SESSIONS_PATH, (req, res) => {
    if (!credentialAdministrator(req, res, 'reading the live sessions')) return;
    res.status(200).json({
      sessions: security.registry.live().map((a) => ({
        credentialId: a.credentialId,
        framework: a.framework,
        pskIdentity: a.pskIdentity,
        provenIds: a.provenIds,
        boundIds: security.bindings.boundIdsSync(a.credentialId),
        certificate: a.peerCertificate
          ? { subjectAltNames: a.peerCertificate.subjectAltNames, fingerprint256: a.peerCertificate.fingerprint256 }
          : undefined,
        peerAddress: a.peerAddress,
        establishedAt: new Date(a.establishedAt).toISOString(),
        expiresAt: a.expiresAt === undefined ? undefined : new Date(a.expiresAt).toISOString(),
      })),
    });
  });
  // The decision explainer for the console (explain-route.ts): administrators on their association only.
  router.get(EXPLAIN_PATH, async (req, res) => {
    if (!cse) {
      res.status(404).json({ error: 'no CSE behind this admin surface' });
      return;
    }
    if (!credentialAdministrator(req, res, 'explaining an access decision')) return;
    const answer = await explainRoute(cse, req.query as Record<string, unknown>);
    res.status(answer.status).json(answer.body);
  });
  router.get(`${CREDENTIALS_PATH}/psk`, (req, res) => {
    if (!credentialAdministrator(req, res, 'listing the PSK credentials')) return;
    const psk = security.credentials
      .list({ kind: 'Kpsa' })
      .filter((r) => !r.credentialId.startsWith('DKTA.'))
      .map((r) => ({
        credentialId: `12-${r.credentialId}`,
        keyId: r.credentialId,
        boundIds: security.bindings.boundIdsSync(`12-${r.credentialId}`),
        createdAt: new Date(r.createdAt).toISOString(),
        expiresAt: r.expiresAt === undefined ? undefined : new Date(r.expiresAt).toISOString(),
      }));
    res.status(200).json({ psk });
  });
  router.delete(`${CREDENTIALS_PATH}/psk/:keyId`, async (req, res) => {
    const caller = credentialAdministrator(req, res, 'credential revocation');
    if (!caller) return;
    const { originator } = caller;
    const admin = { principal: { name: caller.name } };
    const keyId = String(req.params.keyId);
    try {
      const associations = await security.revokePsk(keyId);
      await administration.audit.record({
        kind: 'administrative-action',
        channel: 'admin-api',
        originator,
        administrator: admin.principal.name,
        to: `${CREDENTIALS_PATH}/psk/12-${keyId}`,
        reason: 'PSK credential revoked',
      });
      res.status(200).json({ revoked: `12-${keyId}`, associations });
    } catch (e) {
      if (e instanceof UnknownCredentialError) {
        res.status(404).json({ error: 'no such PSK credential' });
        return;
      }
      log.error({ err: (e as Error).name }, 'credential revocation failed');
      res.status(500).json({ error: 'credential revocation failed' });
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
