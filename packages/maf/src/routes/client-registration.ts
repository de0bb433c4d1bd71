// MAF Client Registration, Configuration Retrieval, Registration Update and De-Registration
// (TS-0003 8.8.2.3-8.8.2.6) as oneM2M-style resources (TS-0032 was not available; docs/maf.md):
//   POST   /maf/mafClientReg                    -> 2001 <mafClientReg>
//   GET    /maf/mafClientReg/<id>/mafClientCfg  -> 2000 {mafClientCfg}
//   PUT    /maf/mafClientReg/<id>               -> 2004 (changed attributes only, Table 8.8.2.5-2)
//   DELETE /maf/mafClientReg/<id>               -> 2002
// A session authenticated by a MEF-provisioned Km (psk_identity = KeID, SUID 21) registers or updates
// here and receives the KmID the MAF assigns (assignedSymmKeyID) for every later MAF Handshake.
import { randomBytes, randomUUID } from 'node:crypto';
import { formatKmID } from '@m2msec/crypto';
import express, { type Request, type Router } from 'express';
import { MafError } from '../lib/errors.js';
import { bad, body, expirationTime, fqdn, labels, mafFqdnMatches, notificationUri } from '../lib/validate.js';
import { type MafSession, requireSession } from '../server/session.js';
import type { ClientRegistration, MafCredentialRecord } from '../store/records.js';
import { type MafRouteContext, route, socketOf } from './context.js';

const REG_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function clientRegistrationRouter(ctx: MafRouteContext): Router {
  const r = express.Router();
  const json = express.json({ limit: '16kb' });
  const session = (req: Request) => requireSession(socketOf(req), ctx);
  /** A session's credential may not outlive itself: cap registration lifetimes by it. */
  const cap = (s: MafSession) => {
    const max = ctx.now() + ctx.maxRegistrationLifetimeMs;
    return s.via === 'certificate' || s.expiresAt === undefined ? max : Math.min(max, s.expiresAt);
  };
  /** For a KeID session: the Km it proved, under a fresh KmID (8.8.2.3 assignedSymmKeyID). */
  const assignKm = async (s: MafSession): Promise<{ record: MafCredentialRecord; key: Buffer } | undefined> => {
    if (s.via !== 'rspf') return undefined;
    const kmId = formatKmID(randomBytes(16).toString('hex'), ctx.mafFqdn);
    const record = await ctx.store.sealKm(
      { kmId, clientId: s.clientId, suid: 21, keId: s.keId, expiresAt: s.expiresAt, createdAt: ctx.now() },
      s.km,
    );
    return { record, key: s.km };
  };
  const ownReg = async (req: Request, s: MafSession): Promise<ClientRegistration> => {
    const id = String(req.params.id);
    if (!REG_ID.test(id)) bad('mafClientRegID must be the UUID the MAF assigned');
    const reg = await ctx.store.clientRegs.get(id);
    if (!reg || reg.et <= ctx.now()) throw new MafError('NOT_FOUND', `no MAF Client Registration '${id}'`);
    if (reg.clientId !== s.clientId) throw new MafError('FORBIDDEN', 'the registration belongs to another MAF client');
    return reg;
  };

  r.post(
    '/maf/mafClientReg',
    json,
    route(ctx, async (req) => {
      const b = body(req.body, 'MAF Client Registration', [
        'mafFQDN',
        'expirationTime',
        'labels',
        'adminFQDN',
        'notificationURI',
      ]);
      mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
      const adminFQDN = fqdn(b.adminFQDN, 'adminFQDN').toLowerCase();
      const lbl = labels(b.labels);
      const nu = notificationUri(b.notificationURI);
      const s = await session(req);
      const now = ctx.now();
      const et = Math.min(expirationTime(b.expirationTime, 'expirationTime', now), cap(s));
      const km = await assignKm(s);
      const reg: ClientRegistration = {
        mafClientRegID: randomUUID(),
        clientId: s.clientId,
        adminFQDN,
        et,
        ...(lbl ? { lbl } : {}),
        ...(nu ? { nu } : {}),
        credentialId: km ? km.record.credentialId : s.via === 'rspf' ? s.keId : s.credentialId,
        ct: now,
      };
      await ctx.store.commitRegistration(reg, km);
      ctx.log?.('MAF client registered', { clientId: s.clientId, adminFQDN, via: s.via });
      return [
        2001,
        {
          mafClientRegID: reg.mafClientRegID,
          expirationTime: new Date(reg.et).toISOString(),
          mafClientID: reg.clientId,
          adminFQDN,
          ...(lbl ? { labels: lbl } : {}),
          ...(nu ? { notificationURI: nu } : {}),
          ...(km ? { assignedSymmKeyID: km.record.kmId } : {}),
        },
      ];
    }),
  );

  r.get(
    '/maf/mafClientReg/:id/mafClientCfg',
    route(ctx, async (req) => {
      const s = await session(req);
      const reg = await ownReg(req, s);
      const cred = s.via === 'rspf' ? undefined : await ctx.store.credentials.get(s.credentialId);
      if (!cred?.clientConfiguration) {
        throw new MafError(
          'NOT_FOUND',
          `no MAF Client Configuration is associated with registration '${reg.mafClientRegID}'`,
        );
      }
      return [2000, { mafClientCfg: cred.clientConfiguration }];
    }),
  );

  r.put(
    '/maf/mafClientReg/:id',
    json,
    route(ctx, async (req) => {
      const b = body(req.body, 'MAF Client Registration Update', [
        'mafFQDN',
        'expirationTime',
        'labels',
        'notificationURI',
      ]);
      mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
      if (b.expirationTime === undefined && b.labels === undefined && b.notificationURI === undefined) {
        bad('an update carries expirationTime, labels and/or notificationURI (Table 8.8.2.5-1)');
      }
      const lbl = labels(b.labels);
      const nu = notificationUri(b.notificationURI);
      const s = await session(req);
      const now = ctx.now();
      const et =
        b.expirationTime === undefined
          ? undefined
          : Math.min(expirationTime(b.expirationTime, 'expirationTime', now), cap(s));
      const reg = await ownReg(req, s);
      const km = await assignKm(s);
      const next: ClientRegistration = {
        ...reg,
        ...(et !== undefined ? { et } : {}),
        ...(lbl ? { lbl } : {}),
        ...(nu ? { nu } : {}),
        ...(km ? { credentialId: km.record.credentialId } : {}),
      };
      await ctx.store.commitRegistration(next, km);
      return [
        2004,
        {
          ...(et !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
          ...(lbl ? { labels: lbl } : {}),
          ...(nu ? { notificationURI: nu } : {}),
          ...(km ? { assignedSymmKeyID: km.record.kmId } : {}),
        },
      ];
    }),
  );

  r.delete(
    '/maf/mafClientReg/:id',
    route(ctx, async (req) => {
      const s = await session(req);
      const reg = await ownReg(req, s);
      await ctx.store.deleteRegistration(reg);
      return [2002, {}];
    }),
  );
  return r;
}
