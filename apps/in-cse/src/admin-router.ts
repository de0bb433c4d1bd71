// Admin-side routes beside the oneM2M binding: DerivedKey revocations a trust anchor sends
// (POST /.well-known/m2msec/dk-revocation, JSON body authenticated by its MAC under K_RS-TA, so any
// listener may carry it). Mounted before the binding's router; it only parses its own path.
// DELETE /.well-known/m2msec/credentials/psk/<KpsaID> revokes a Kpsa while the CSE runs (key, binding,
// live sessions; docs/certificate-lifecycle.md): only over a security association whose credential is
// bound to an administrator originator (cse.adminOriginators), never on the plain listener.

import type { TLSSocket } from 'node:tls';
import { handleMafKeyNotification, MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import { handleKeyAnnouncement, KEY_ANNOUNCEMENT_PATH } from '@m2msec/rspf';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { type InCseSecurity, UnknownCredentialError } from './security.js';

export const DK_REVOCATION_PATH = '/.well-known/m2msec/dk-revocation';
export const CREDENTIALS_PATH = '/.well-known/m2msec/credentials';

/** Whether the request's TLS association speaks for an administrator (a bound or proven admin ID). */
function isAdministratorSession(security: InCseSecurity, socket: unknown): boolean {
  const sa = security.registry.associationOf(socket as TLSSocket);
  if (!sa) return false;
  const ids = [...sa.provenIds, ...security.bindings.boundIdsSync(sa.credentialId)];
  return ids.some((id) => security.adminIds.has(id));
}

export function adminRouter(security: InCseSecurity, log: Logger): Router {
  const router = express.Router();
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
  router.delete(`${CREDENTIALS_PATH}/psk/:keyId`, async (req, res) => {
    if (!isAdministratorSession(security, req.socket)) {
      res.status(403).json({ error: 'credential revocation needs a security association bound to an administrator' });
      return;
    }
    const keyId = String(req.params.keyId);
    try {
      const associations = await security.revokePsk(keyId);
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
