// MAF Key Registration (TS-0003 8.8.2.7), POST /maf/symmKeyReg (docs/maf.md): the Source registers a
// key for targetIDs -> 2001 <symmKeyReg>.
// Without keyValue the key is the session's EXPORTER-oneM2M-Connection output (10.3.1, 48 bytes, no
// context): Kc = the 32 least significant bytes and RelativeKeyID = hexBinary(KcID), the 16 most
// significant (10.3.5), so the Source computes the same Key Identifier from its side of the session.
// 8.8.2.7 also says the MAF selects the RelativeKeyID; this MAF follows 10.3.5 for exporter keys and
// picks a random one only for self-generated key values (docs/maf.md).
import { randomBytes } from 'node:crypto';
import { EXPORTER_LABEL_CONNECTION, EXPORTER_LENGTH, splitConnectionExport } from '@m2msec/crypto';
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
  targetIds,
} from '../lib/validate.js';
import { requireKeyClient } from '../server/session.js';
import type { KeyRegistration } from '../store/records.js';
import type { MafProcedure, MafRouteContext } from './context.js';
import { keyIdentifier, notifyKeyTargets } from './key-helpers.js';

export function mafKeyRegistration(ctx: MafRouteContext): MafProcedure {
  return async (req) => {
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
    if (b.targetIDs === undefined) bad('targetIDs is required: this MAF has no stakeholder policy that picks targets');
    const targets = targetIds(b.targetIDs, suid);
    const lbl = labels(b.labels);
    const now = ctx.now();
    let et = expirationTime(b.expirationTime, 'expirationTime', now, ctx.maxKeyLifetimeMs);
    const s = await requireKeyClient(req, ctx);
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
      const exporter = req.tls?.exportKeyingMaterial;
      if (s.via === 'mqtt') {
        // Kc is the exporter of the MAF Handshake session (8.8.2.2, 10.3.1); over MQTT the client's TLS
        // session ends at the broker, so there is none to export from.
        throw new MafError(
          'ASSOCIATION_REQUIRED',
          'a key without keyValue is the MAF Handshake exporter output (10.3.1): it needs a TLS session with the MAF, not MQTT',
        );
      }
      if (!exporter) bad('a key without keyValue is the MAF Handshake exporter output: use the TLS listener');
      const out = exporter(EXPORTER_LENGTH, EXPORTER_LABEL_CONNECTION);
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
    const notified = await notifyKeyTargets(ctx, targets, rid, 'registered');
    return [
      2001,
      {
        relativeKeyID: rid,
        keyIdentifier: keyIdentifier(ctx, rid),
        expirationTime: new Date(reg.et).toISOString(),
        sourceMafClientID: s.clientId,
        adminFQDN,
        suid,
        targetIDs: targets,
        ...(lbl ? { labels: lbl } : {}),
        notifiedTargets: notified,
      },
    ];
  };
}
