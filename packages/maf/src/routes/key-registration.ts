// MAF Key Registration, Retrieval, Registration Update and De-Registration (TS-0003 8.8.2.7-8.8.2.10)
// as oneM2M-style resources (docs/maf.md):
//   POST   /maf/symmKeyReg                  Source: register a key for targetIDs -> 2001 <symmKeyReg>
//   GET    /maf/symmKeyReg/<RelativeKeyID>  Target: Key Retrieval, authorised against targetIDs
//   PUT    /maf/symmKeyReg/<RelativeKeyID>  Source: expirationTime / labels / targetIDs
//   DELETE /maf/symmKeyReg/<RelativeKeyID>  Source: stop distributing the key
// Without keyValue the key is the session's EXPORTER-oneM2M-Connection output (10.3.1, 48 bytes, no
// context): Kc = the 32 least significant bytes and RelativeKeyID = hexBinary(KcID), the 16 most
// significant (10.3.5), so the Source computes the same Key Identifier from its side of the session.
// 8.8.2.7 also says the MAF selects the RelativeKeyID; this MAF follows 10.3.5 for exporter keys and
// picks a random one only for self-generated key values (docs/maf.md).
import { randomBytes } from 'node:crypto';
import { EXPORTER_LABEL_CONNECTION, EXPORTER_LENGTH, splitConnectionExport } from '@m2msec/crypto';
import express, { type Request, type Router } from 'express';
import { MafError } from '../lib/errors.js';
import {
  bad,
  body,
  expirationTime,
  fqdn,
  keyValue,
  labels,
  mafFqdnMatches,
  mafKeySuid,
  relativeKeyId,
  targetIds,
} from '../lib/validate.js';
import { type KeyEvent, notifyTargets } from '../server/notify.js';
import { requireKeyClient } from '../server/session.js';
import type { KeyRegistration } from '../store/records.js';
import { type MafRouteContext, route, socketOf } from './context.js';

export function keyRegistrationRouter(ctx: MafRouteContext): Router {
  const r = express.Router();
  const json = express.json({ limit: '16kb' });
  const client = (req: Request) => requireKeyClient(socketOf(req), ctx);
  const keyIdentifier = (rid: string) => `${rid}@${ctx.mafFqdn}`;
  const notify = (targets: readonly string[], rid: string, event: KeyEvent) =>
    notifyTargets(ctx.notify, targets, keyIdentifier(rid), event);
  const liveKey = async (req: Request): Promise<KeyRegistration> => {
    const rid = relativeKeyId(req.params.rid);
    const k = await ctx.store.keyRegs.get(rid);
    if (!k) throw new MafError('NOT_FOUND', `no key registration '${rid}'`);
    if (k.et <= ctx.now()) {
      await ctx.store.keyRegs.delete(rid);
      throw new MafError('NOT_FOUND', `the key registration '${rid}' expired at ${new Date(k.et).toISOString()}`);
    }
    return k;
  };
  const ownKey = async (req: Request): Promise<KeyRegistration> => {
    const s = await client(req);
    const k = await liveKey(req);
    if (k.sourceClientID !== s.clientId) {
      throw new MafError('FORBIDDEN', 'only the Source MAF Client may change or deregister the key registration');
    }
    return k;
  };

  r.post(
    '/maf/symmKeyReg',
    json,
    route(ctx, async (req) => {
      const b = body(req.body, 'MAF Key Registration', [
        'mafFQDN',
        'expirationTime',
        'labels',
        'adminFQDN',
        'suid',
        'targetIDs',
        'keyValue',
      ]);
      mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
      const adminFQDN = fqdn(b.adminFQDN, 'adminFQDN').toLowerCase();
      const suid = mafKeySuid(b.suid);
      if (b.targetIDs === undefined)
        bad('targetIDs is required: this MAF has no stakeholder policy that picks targets');
      const targets = targetIds(b.targetIDs, suid);
      const lbl = labels(b.labels);
      const now = ctx.now();
      let et = expirationTime(b.expirationTime, 'expirationTime', now, ctx.maxKeyLifetimeMs);
      const s = await client(req);
      if (s.via === 'km' && s.expiresAt !== undefined) et = Math.min(et, s.expiresAt); // never outlives Km
      if (!(await ctx.store.registrationOf(s.clientId, adminFQDN))) {
        throw new MafError('FORBIDDEN', `register with the MAF for adminFQDN '${adminFQDN}' first (8.8.2.7)`);
      }
      const self = keyValue(b.keyValue);
      let key: Buffer;
      let rid: string;
      if (self) {
        key = self;
        rid = randomBytes(16).toString('hex');
      } else {
        // No context value (10.3.1): the same call Entity A makes on its side of the session.
        const out = socketOf(req).exportKeyingMaterial(
          EXPORTER_LENGTH,
          EXPORTER_LABEL_CONNECTION,
          undefined as unknown as Buffer,
        );
        const { kc, kcID } = splitConnectionExport(out);
        key = Buffer.from(kc);
        rid = kcID.toString('hex');
        out.fill(0);
        kc.fill(0);
      }
      let reg: KeyRegistration;
      try {
        reg = {
          relativeKeyID: rid,
          sourceClientID: s.clientId,
          adminFQDN,
          suid,
          targetIDs: targets,
          et,
          ...(lbl ? { lbl } : {}),
          sealedKey: await ctx.store.vault.seal('symmKey', rid, key),
          origin: self ? 'client' : 'exporter',
          ct: now,
        };
      } finally {
        key.fill(0);
      }
      if (!(await ctx.store.keyRegs.insert(rid, reg))) {
        throw new MafError(
          'CONFLICT',
          'this MAF Handshake session already registered its exporter key (RelativeKeyID = hexBinary(KcID) is one per session, 10.3.5): open a new session',
        );
      }
      const notified = await notify(targets, rid, 'registered');
      return [
        2001,
        {
          relativeKeyID: rid,
          keyIdentifier: keyIdentifier(rid),
          expirationTime: new Date(reg.et).toISOString(),
          sourceMafClientID: s.clientId,
          adminFQDN,
          suid,
          targetIDs: targets,
          ...(lbl ? { labels: lbl } : {}),
          notifiedTargets: notified,
        },
      ];
    }),
  );

  r.get(
    '/maf/symmKeyReg/:rid',
    route(ctx, async (req) => {
      const s = await client(req);
      const k = await liveKey(req);
      if (!k.targetIDs.includes(s.clientId)) {
        throw new MafError('FORBIDDEN', `'${s.clientId}' is not an authorised Target MAF Client of this key (8.8.2.8)`);
      }
      const key = await ctx.store.vault.open('symmKey', k.relativeKeyID, k.sealedKey);
      try {
        return [
          2000,
          {
            relativeKeyID: k.relativeKeyID,
            expirationTime: new Date(k.et).toISOString(),
            sourceMafClientID: k.sourceClientID,
            adminFQDN: k.adminFQDN,
            suid: k.suid,
            keyValue: key.toString('base64'),
            ...(k.lbl ? { labels: k.lbl } : {}),
          },
        ];
      } finally {
        key.fill(0);
      }
    }),
  );

  r.put(
    '/maf/symmKeyReg/:rid',
    json,
    route(ctx, async (req) => {
      const b = body(req.body, 'MAF Key Registration Update', ['mafFQDN', 'expirationTime', 'labels', 'targetIDs']);
      mafFqdnMatches(b.mafFQDN, ctx.mafFqdn);
      if (b.expirationTime === undefined && b.labels === undefined && b.targetIDs === undefined) {
        bad('an update carries expirationTime, labels and/or targetIDs (Table 8.8.2.9-1)');
      }
      const lbl = labels(b.labels);
      const k = await ownKey(req);
      const now = ctx.now();
      const et =
        b.expirationTime === undefined
          ? undefined
          : Math.min(
              expirationTime(b.expirationTime, 'expirationTime', now, ctx.maxKeyLifetimeMs),
              k.ct + ctx.maxKeyLifetimeMs,
            );
      const targets = b.targetIDs === undefined ? undefined : targetIds(b.targetIDs, k.suid);
      const next: KeyRegistration = {
        ...k,
        ...(et !== undefined ? { et } : {}),
        ...(lbl ? { lbl } : {}),
        ...(targets ? { targetIDs: targets } : {}),
      };
      await ctx.store.keyRegs.put(k.relativeKeyID, next);
      // Old and new targets re-sync: a removed target's retrieval now fails and it drops the key.
      const notified = await notify([...new Set([...k.targetIDs, ...next.targetIDs])], k.relativeKeyID, 'updated');
      return [
        2004,
        {
          ...(et !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
          ...(lbl ? { labels: lbl } : {}),
          ...(targets ? { targetIDs: targets } : {}),
          notifiedTargets: notified,
        },
      ];
    }),
  );

  r.delete(
    '/maf/symmKeyReg/:rid',
    route(ctx, async (req) => {
      const k = await ownKey(req);
      await ctx.store.keyRegs.delete(k.relativeKeyID);
      const notified = await notify(k.targetIDs, k.relativeKeyID, 'deregistered');
      return [2002, { notifiedTargets: notified }];
    }),
  );
  return r;
}
