// Mmef procedures (TS-0003 8.3.5.2.3-8.3.5.2.10) as oneM2M-style resources under /mef (TS-0032, which
// defines the real ones, was not available; docs/mef.md documents this design):
//   POST   /mef/mefClientReg                      MEF Client Registration           -> 201 <mefClientReg>
//   GET    /mef/mefClientReg/<id>/mefClientCfg    MEF Client Configuration Retrieval
//   PUT    /mef/mefClientReg/<id>                 MEF Client Registration Update
//   DELETE /mef/mefClientReg/<id>                 MEF Client De-Registration
//   POST   /mef/symmKeyReg                        MEF Key Registration              -> 201 <symmKeyReg>
//   GET    /mef/symmKeyReg/<RelativeKeyID>        MEF Key Retrieval (Target MEF Client)
//   PUT    /mef/symmKeyReg/<RelativeKeyID>        MEF Key Registration Update (Source)
//   DELETE /mef/symmKeyReg/<RelativeKeyID>        MEF Key De-Registration (Source)
// Every procedure runs on a MEF Handshake session (8.3.5.2.2): the client's identity is the TLS
// session's, never a header.
import { randomBytes, randomUUID } from 'node:crypto';
import { EXPORTER_LABEL_BOOTSTRAP, EXPORTER_LENGTH, parseSuid, splitBootstrapExport } from '@m2msec/crypto';
import type { EdgeRequest, EdgeRoute } from '@m2msec/protocol';
import { type KeyVault, RspfError } from '@m2msec/rspf';
import { jsonBody } from '../lib/edge-json.js';
import { onem2mAnswer, onem2mError } from '../lib/onem2m-answer.js';
import { mefClientId, mmefSession } from '../server/session-identity.js';
import type { MefStore } from '../store/mef-store.js';
import type { ClientRegistration, KeyRegistration } from '../store/records.js';

const MAX_LIFETIME_MS = 365 * 86_400_000;

function time(v: unknown, what: string, now: number): number {
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t) || t <= now)
    throw new RspfError('BAD_REQUEST', `${what} must be a future time (ISO 8601 or ms)`);
  return Math.min(t, now + MAX_LIFETIME_MS); // the MEF may assign another value (8.3.5.2.3)
}

function labels(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 32 || !v.every((l) => typeof l === 'string' && l.length <= 255)) {
    throw new RspfError('BAD_REQUEST', 'labels must be at most 32 strings');
  }
  return v as string[];
}

function fqdnMatches(v: unknown, mefFqdn: string): void {
  if (typeof v !== 'string' || v.toLowerCase() !== mefFqdn.toLowerCase()) {
    throw new RspfError('BAD_REQUEST', `mefFQDN must name this MEF (${mefFqdn})`);
  }
}

/** SAEF / ESPrim keys go to exactly one target, ESData keys to 1..n (8.3.5.2.7 step 3). */
function targetIds(v: unknown, suid: number): string[] {
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    !v.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 255)
  ) {
    throw new RspfError('BAD_REQUEST', 'targetIDs must be a non-empty list of Absolute AE-IDs / CSE-IDs');
  }
  const esData = [14, 15, 24, 25, 34, 35, 44, 45].includes(suid);
  if (!esData && v.length !== 1) {
    throw new RspfError('BAD_REQUEST', `SUID ${suid} (SAEF / ESPrim / MAF) takes exactly one target ID`);
  }
  return v as string[];
}

/** The session's bootstrap exporter output with a context (10.3.1), wiped by the caller. */
function exportFromSession(req: Pick<EdgeRequest, 'transport'>, context: Uint8Array): Buffer {
  if (req.transport.binding === 'mqtt') {
    // Ke is the exporter of the MEF Handshake session (8.3.5.2.2, 10.3.1); over MQTT the client's TLS
    // session ends at the broker, so there is none to export from.
    throw new RspfError(
      'ASSOCIATION_REQUIRED',
      'a key without keyValue is the MEF Handshake exporter output (10.3.1): it needs a TLS session with the MEF, not MQTT',
    );
  }
  const exporter = req.transport.tls?.exportKeyingMaterial;
  if (!exporter) throw new RspfError('FORBIDDEN', 'the Mmef procedures need a MEF Handshake (PSK or certificate)');
  const raw = exporter(EXPORTER_LENGTH, EXPORTER_LABEL_BOOTSTRAP, context);
  try {
    return Buffer.from(raw);
  } finally {
    raw.fill(0);
  }
}

/** A request of an Mmef procedure: the edge's, with the JSON body parsed. */
type Request = Omit<EdgeRequest, 'body'> & { body: Record<string, any> | undefined };

export function mmefRoutes(
  store: MefStore,
  /** spId: M2M-SP-ID of broker-authenticated MQTT clients, when the MEF is served over MQTT. */
  o: { mefFqdn: string; vault: KeyVault; now?: () => number; spId?: string },
): EdgeRoute[] {
  const routes: EdgeRoute[] = [];
  const now = o.now ?? Date.now;
  const client = (req: Request) => {
    const id = mefClientId(mmefSession(req.transport, o.spId));
    if (!id) throw new RspfError('FORBIDDEN', 'the Mmef procedures need a MEF Handshake (PSK or certificate)');
    return id;
  };
  const route =
    (method: string, path: string) =>
    (fn: (req: Request) => Promise<[number, unknown]>): void => {
      routes.push({
        method,
        path,
        maxBodyBytes: 64 * 1024,
        headers: ['x-m2m-origin'],
        async handle(edgeReq) {
          // Like a JSON body parser in front: a body that is no JSON is refused before the procedure.
          const body = method === 'POST' || method === 'PUT' ? (jsonBody(edgeReq) as Request['body']) : undefined;
          try {
            const [rsc, answer] = await fn({ ...edgeReq, body });
            return onem2mAnswer(rsc, answer);
          } catch (e) {
            return onem2mError(e);
          }
        },
      });
    };
  const ownReg = async (req: Request): Promise<ClientRegistration> => {
    const reg = await store.clientRegs.get(String(req.params.id));
    if (!reg || reg.et <= now()) throw new RspfError('NOT_FOUND', `no MEF Client Registration '${req.params.id}'`);
    if (reg.mefClientID !== client(req))
      throw new RspfError('FORBIDDEN', 'the registration belongs to another MEF client');
    return reg;
  };
  const ownKey = async (req: Request): Promise<KeyRegistration> => {
    const k = await store.keyRegs.get(String(req.params.rid));
    if (!k || k.et <= now()) throw new RspfError('NOT_FOUND', `no key registration '${req.params.rid}'`);
    if (k.sourceClientID !== client(req))
      throw new RspfError('FORBIDDEN', 'only the Source MEF Client may change the key registration');
    return k;
  };

  // ---- MEF Client Registration (8.3.5.2.3-8.3.5.2.6) -----------------------------------------
  route(
    'POST',
    '/mef/mefClientReg',
  )(async (req) => {
    const b = req.body ?? {};
    fqdnMatches(b.mefFQDN, o.mefFqdn);
    if (typeof b.adminFQDN !== 'string' || !b.adminFQDN) throw new RspfError('BAD_REQUEST', 'adminFQDN is required');
    const lbl = labels(b.labels);
    const reg: ClientRegistration = {
      ri: randomUUID(),
      mefClientID: client(req),
      adminFQDN: b.adminFQDN,
      et: time(b.expirationTime, 'expirationTime', now()),
      ...(lbl ? { lbl } : {}),
      ct: now(),
    };
    await store.clientRegs.put(reg.ri, reg);
    return [
      2001,
      {
        mefClientRegID: reg.ri,
        expirationTime: new Date(reg.et).toISOString(),
        mefClientID: reg.mefClientID,
        adminFQDN: reg.adminFQDN,
        ...(lbl ? { labels: lbl } : {}),
      },
    ];
  });
  route(
    'GET',
    '/mef/mefClientReg/:id/mefClientCfg',
  )(async (req) => {
    const reg = await ownReg(req);
    const s = mmefSession(req.transport, o.spId);
    const enrolee =
      s.pskIdentity !== undefined
        ? await store.enrolees.get(`psk:${s.pskIdentity}`)
        : (
            await Promise.all(
              (s.subjectAltNames ?? []).map((n) => store.enrolees.get(`cert:${n.slice(n.indexOf(':') + 1)}`)),
            )
          ).find(Boolean);
    if (!enrolee?.clientConfiguration) {
      throw new RspfError('NOT_FOUND', `no MEF Client Configuration is associated with registration '${reg.ri}'`);
    }
    return [2000, { mefClientCfg: enrolee.clientConfiguration }];
  });
  route(
    'PUT',
    '/mef/mefClientReg/:id',
  )(async (req) => {
    const b = req.body ?? {};
    fqdnMatches(b.mefFQDN, o.mefFqdn);
    if (b.expirationTime === undefined && b.labels === undefined) {
      throw new RspfError('BAD_REQUEST', 'an update carries expirationTime and/or labels (Table 8.3.5.2.5-1)');
    }
    const reg = await ownReg(req);
    const next: ClientRegistration = { ...reg };
    if (b.expirationTime !== undefined) next.et = time(b.expirationTime, 'expirationTime', now());
    const lbl = labels(b.labels);
    if (lbl) next.lbl = lbl;
    await store.clientRegs.put(reg.ri, next);
    return [
      2004,
      {
        ...(b.expirationTime !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
        ...(lbl ? { labels: lbl } : {}),
      },
    ];
  });
  route(
    'DELETE',
    '/mef/mefClientReg/:id',
  )(async (req) => {
    const reg = await ownReg(req);
    await store.clientRegs.delete(reg.ri);
    return [2002, {}];
  });

  // ---- MEF Key Registration (8.3.5.2.7-8.3.5.2.10) -------------------------------------------
  route(
    'POST',
    '/mef/symmKeyReg',
  )(async (req) => {
    const b = req.body ?? {};
    fqdnMatches(b.mefFQDN, o.mefFqdn);
    const source = client(req);
    const registered =
      typeof b.adminFQDN === 'string' && (await store.clientRegistration(source, b.adminFQDN, now())) !== undefined;
    if (!registered) {
      throw new RspfError(
        'FORBIDDEN',
        `register with the MEF for adminFQDN '${String(b.adminFQDN)}' first (8.3.5.2.7)`,
      );
    }
    let suid: number;
    try {
      suid = parseSuid(b.suid);
    } catch (e) {
      throw new RspfError('BAD_REQUEST', (e as Error).message);
    }
    const targets = targetIds(b.targetIDs, suid);
    const lbl = labels(b.labels);
    const relative = randomBytes(16);
    const relativeKeyID = relative.toString('hex');
    let key: Buffer;
    if (b.keyValue !== undefined) {
      if (typeof b.keyValue !== 'string') throw new RspfError('BAD_REQUEST', 'keyValue must be base64');
      key = Buffer.from(b.keyValue, 'base64');
      if (key.length < 16 || key.length > 64) throw new RspfError('BAD_REQUEST', 'keyValue must be 16 to 64 bytes');
    } else {
      // Key Value from the session (8.3.5.2.7 step 2.a, 10.3.1): exporter with the bootstrap label and
      // the RelativeKeyID as context, so several registrations on one session get distinct keys.
      const out = exportFromSession(req, relative);
      key = Buffer.from(splitBootstrapExport(out).ke);
      out.fill(0);
    }
    const reg: KeyRegistration = {
      relativeKeyID,
      sourceClientID: source,
      adminFQDN: b.adminFQDN,
      suid,
      targetIDs: targets,
      et: time(b.expirationTime, 'expirationTime', now()),
      ...(lbl ? { lbl } : {}),
      sealedKey: await o.vault.seal('symmKey', relativeKeyID, key),
      ct: now(),
    };
    key.fill(0);
    await store.keyRegs.put(relativeKeyID, reg);
    return [
      2001,
      {
        relativeKeyID,
        keyIdentifier: `${relativeKeyID}@${o.mefFqdn}`,
        expirationTime: new Date(reg.et).toISOString(),
        sourceMefClientID: source,
        adminFQDN: reg.adminFQDN,
        suid,
        targetIDs: targets,
        ...(lbl ? { labels: lbl } : {}),
      },
    ];
  });
  route(
    'GET',
    '/mef/symmKeyReg/:rid',
  )(async (req) => {
    const k = await store.keyRegs.get(String(req.params.rid));
    if (!k || k.et <= now()) throw new RspfError('NOT_FOUND', `no key registration '${req.params.rid}'`);
    const s = mmefSession(req.transport, o.spId);
    // Over MQTT the binding checked From against the broker-proven originator: that ID is the Target.
    const proven = s.brokerId !== undefined ? [s.brokerId] : await store.targetIdsFor(s);
    const origin = s.brokerId ?? req.headers['x-m2m-origin'];
    if (!origin || !proven.includes(origin) || !k.targetIDs.includes(origin)) {
      throw new RspfError('FORBIDDEN', `'${String(origin)}' is not an authorised Target MEF Client of this key`);
    }
    const key = await o.vault.open('symmKey', k.relativeKeyID, k.sealedKey);
    try {
      return [
        2000,
        {
          expirationTime: new Date(k.et).toISOString(),
          sourceMefClientID: k.sourceClientID,
          adminFQDN: k.adminFQDN,
          suid: k.suid,
          keyValue: key.toString('base64'),
          ...(k.lbl ? { labels: k.lbl } : {}),
        },
      ];
    } finally {
      key.fill(0);
    }
  });
  route(
    'PUT',
    '/mef/symmKeyReg/:rid',
  )(async (req) => {
    const b = req.body ?? {};
    fqdnMatches(b.mefFQDN, o.mefFqdn);
    if (b.expirationTime === undefined && b.labels === undefined && b.targetIDs === undefined) {
      throw new RspfError(
        'BAD_REQUEST',
        'an update carries expirationTime, labels and/or targetIDs (Table 8.3.5.2.9-1)',
      );
    }
    const k = await ownKey(req);
    const next: KeyRegistration = { ...k };
    if (b.expirationTime !== undefined) next.et = time(b.expirationTime, 'expirationTime', now());
    const lbl = labels(b.labels);
    if (lbl) next.lbl = lbl;
    if (b.targetIDs !== undefined) next.targetIDs = targetIds(b.targetIDs, k.suid);
    await store.keyRegs.put(k.relativeKeyID, next);
    return [
      2004,
      {
        ...(b.expirationTime !== undefined ? { expirationTime: new Date(next.et).toISOString() } : {}),
        ...(lbl ? { labels: lbl } : {}),
        ...(b.targetIDs !== undefined ? { targetIDs: next.targetIDs } : {}),
      },
    ];
  });
  route(
    'DELETE',
    '/mef/symmKeyReg/:rid',
  )(async (req) => {
    const k = await ownKey(req);
    await store.keyRegs.delete(k.relativeKeyID);
    return [2002, {}];
  });
  return routes;
}
