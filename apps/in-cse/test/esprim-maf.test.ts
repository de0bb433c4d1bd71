// The MAF ESPrim Framework (TS-0003 8.4.2 A, C.6a; SUID 33) end to end: the MAF process, the IN-CSE
// process as Receiver (security.maf: its own Km, registered at the MAF; endToEnd.esprim.mafDistributed)
// and an Originator that registers its MAF Handshake's Kc for the IN-CSE. The IN-CSE has never seen the
// key: at the first ESPrim Object naming the Key Identifier it retrieves Kc from the MAF, derives
// pairwiseESPrimKey and binds it to the Originator the MAF names, so acaf passes with ESPrim only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import { deriveMafPairwiseESPrimKey } from '@m2msec/crypto';
import { ESPrimClient, ESPrimOriginator } from '@m2msec/esprim';
import { MafClient, registerESPrimKey } from '@m2msec/maf';
import { startAeProcess } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_FQDN, MAF_FQDN, type MafProcess, startMafProcess } from './maf-setup.js';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

vi.setConfig({ testTimeout: 120_000 });

const ID_IN = '//m2msec.org/id-in';
const sender = new HttpRequestSender({ timeoutMs: 20_000 });
const kmIn = randomBytes(32);
const kmIdIn = `in-cse@${MAF_FQDN}`;
let maf: MafProcess;
let s: SecureInCse;

async function m2m(method: string, path: string, from: string, ty?: number, body?: unknown) {
  const r = await fetch(`http://127.0.0.1:${s.cse.port}${path}`, {
    method,
    headers: {
      'X-M2M-Origin': from,
      'X-M2M-RI': randomBytes(4).toString('hex'),
      'X-M2M-RVI': '3',
      Accept: 'application/json',
      'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}`,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { rsc: Number(r.headers.get('X-M2M-RSC')), body: (await r.json().catch(() => ({}))) as Record<string, any> };
}

/** A MAF client with its own Km, registered at the MAF: the Originator's side of 8.4.2 A. */
async function originatorClient(stem: string): Promise<MafClient> {
  const km = randomBytes(32);
  const kmId = `${stem.toLowerCase()}@${MAF_FQDN}`;
  maf.admin(['add-km', '--km-id', kmId, '--client-id', `${ID_IN}/${stem}`, '--key-file', '-'], km.toString('hex'));
  const c = new MafClient({
    mafUrl: maf.pskUrl,
    mafFqdn: MAF_FQDN,
    credential: { kind: 'psk', identity: kmId, key: km },
  });
  await c.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: Date.now() + 3_600_000 });
  return c;
}

function esprimClient(kid: string, key: Uint8Array, stem: string) {
  return new ESPrimClient({
    originator: new ESPrimOriginator({ kid, pairwiseESPrimKey: key }),
    send: (req) => sender.send(`http://127.0.0.1:${s.cse.port}`, req, { retarget: true }),
    from: stem,
    targetCseBase: '/id-in/cse-in',
  });
}

beforeAll(async () => {
  maf = await startMafProcess();
  maf.admin(['add-km', '--km-id', kmIdIn, '--client-id', ID_IN, '--key-file', '-'], kmIn.toString('hex'));
  const prepared = await prepareSecureInCse(
    { maf: { url: maf.pskUrl, fqdn: MAF_FQDN, kmId: kmIdIn, adminFQDN: ADMIN_FQDN } },
    {
      registration: { appRules: [{ name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
      endToEnd: { esprim: { keys: [], mafDistributed: true } },
    },
  );
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-km', '--id', kmIdIn, '--key-file', '-'],
    kmIn.toString('hex'),
  );
  s = await prepared.start();
  const deadline = Date.now() + 30_000;
  while (!JSON.parse(maf.admin(['list-registrations'])).some((r: { clientId: string }) => r.clientId === ID_IN)) {
    if (Date.now() > deadline) throw new Error(`the IN-CSE did not register at the MAF: ${s.cse.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const acp = {
    'm2m:acp': {
      rn: 'acpMafEsp',
      pv: { acr: [{ acor: ['/id-in/CmafE1', '/id-in/CmafE2', '/id-in/CmafE4'], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect((await m2m('POST', '/cse-in', 'CAdmin', 1, acp)).rsc).toBe(2001);
  expect(
    (await m2m('POST', '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'mesp', acpi: ['cse-in/acpMafEsp'] } })).rsc,
  ).toBe(2001);
}, 120_000);

afterAll(async () => {
  sender.close();
  await s?.cse.stop();
  await maf?.stop();
});

describe('MAF ESPrim keys (SUID 33) at the IN-CSE process', () => {
  it('the <CSEBase> lists MAF-distributed ESPrim (SUID 33) in e2eSecInfo', async () => {
    const r = await m2m('GET', '/cse-in', 'CAdmin');
    expect(r.body['m2m:cb'].esi?.esf).toEqual([13, 33]);
  });

  it('without ESPrim: refused; with the MAF key: retrieved from the MAF, bound to the Originator, acaf passes', async () => {
    const c = await originatorClient('CmafE1');
    const k = await registerESPrimKey(c, {
      adminFQDN: ADMIN_FQDN,
      targetID: ID_IN,
      expirationTime: Date.now() + 600_000,
    });
    expect((await m2m('GET', '/cse-in/mesp', 'CmafE1')).rsc).toBe(4106);
    const e = esprimClient(k.kid, k.key, 'CmafE1');
    const reg = await e.request({
      op: 1,
      to: '/id-in/cse-in',
      fr: 'CmafE1',
      rqi: 'a0',
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { rn: 'CmafE1', api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, reg.dbg).toBe(2001);
    const got = await e.request({ op: 2, to: '/id-in/cse-in/mesp', fr: 'CmafE1', rqi: 'a1', rvi: '3' });
    expect(got.rsc, got.dbg).toBe(2000);
    // Bound to the Originator the MAF names: another originator with the same key is 4116.
    const other = await e.request({ op: 2, to: '/id-in/cse-in/mesp', fr: 'CmafE2', rqi: 'a2', rvi: '3' });
    expect(other.rsc).toBe(4116);
  });

  it('attack: an SAEF Kc (SUID 32) registered for this IN-CSE is not an ESPrim key (4112)', async () => {
    const c = await originatorClient('CmafE2');
    const saef = await c.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: Date.now() + 600_000,
      suid: 32,
      targetIDs: [ID_IN],
    });
    const r = await esprimClient(
      saef.keyIdentifier,
      deriveMafPairwiseESPrimKey(saef.connectionKey!.kc),
      'CmafE2',
    ).request({
      op: 2,
      to: '/id-in/cse-in/mesp',
      fr: 'CmafE2',
      rqi: 'b1',
      rvi: '3',
    });
    expect(r.rsc).toBe(4112);
  });

  it('attack: a key registered for another CSE, and a wrong key under a valid kid, get no access', async () => {
    const c = await originatorClient('CmafE3');
    const elsewhere = await registerESPrimKey(c, {
      adminFQDN: ADMIN_FQDN,
      targetID: '//m2msec.org/id-other',
      expirationTime: Date.now() + 600_000,
    });
    const r1 = await esprimClient(elsewhere.kid, elsewhere.key, 'CmafE3').request({
      op: 2,
      to: '/id-in/cse-in/mesp',
      fr: 'CmafE3',
      rqi: 'c1',
      rvi: '3',
    });
    expect(r1.rsc).toBe(4112);
    const mine = await registerESPrimKey(c, {
      adminFQDN: ADMIN_FQDN,
      targetID: ID_IN,
      expirationTime: Date.now() + 600_000,
    });
    const r2 = await esprimClient(mine.kid, randomBytes(32), 'CmafE3').request({
      op: 2,
      to: '/id-in/cse-in/mesp',
      fr: 'CmafE3',
      rqi: 'c2',
      rvi: '3',
    });
    expect(r2.rsc).toBe(4115);
    // Never a key in the IN-CSE's output.
    for (const k of [mine.key, elsewhere.key, kmIn]) expect(s.cse.output()).not.toContain(k.toString('hex'));
  });
});

describe('the AE app as MAF ESPrim Originator (endToEnd.esprim.maf)', () => {
  it('registers through ESPrim, passes acaf, and registers a new key when the old one is due', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-esprim-maf-ae-'));
    const km = randomBytes(32);
    const kmId = `cmafe4@${MAF_FQDN}`;
    maf.admin(['add-km', '--km-id', kmId, '--client-id', `${ID_IN}/CmafE4`, '--key-file', '-'], km.toString('hex'));
    const kmFile = join(d, 'km.hex');
    writeFileSync(kmFile, km.toString('hex'), { mode: 0o600 });
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: { kind: 'http', url: `http://127.0.0.1:${s.cse.port}` },
        appId: 'Nmaf',
        stem: 'CmafE4',
        endToEnd: {
          esprim: {
            maf: {
              url: maf.pskUrl,
              fqdn: MAF_FQDN,
              kmId,
              kmFile,
              adminFQDN: ADMIN_FQDN,
              targetID: ID_IN,
              lifetimeSeconds: 4,
            },
            targetCseBase: '/id-in/cse-in',
          },
        },
      }),
      { mode: 0o600 },
    );
    const keysOfAe = () =>
      (
        JSON.parse(maf.admin(['list-keys'])) as Array<{ sourceClientID: string; suid: number; relativeKeyID: string }>
      ).filter((k) => k.sourceClientID === `${ID_IN}/CmafE4`);
    const ae = startAeProcess(configPath);
    try {
      // The AE's registration at the IN-CSE travelled as an ESPrim Object (the plain listener alone gives 4106).
      const ready = await ae.next((e) => e.event === 'ready' || e.event === 'error');
      expect(ready.aeId, ae.stderr()).toBe('/id-in/CmafE4');
      const got = await ae.command({ id: 1, op: 2, to: '/id-in/cse-in/mesp' });
      expect(got.rsc, got.dbg).toBe(2000);
      const first = keysOfAe();
      expect(first.map((k) => k.suid)).toEqual([33]);
      // Past 90% of the 4 s registration the AE registers a new key before it sends.
      await new Promise((r) => setTimeout(r, 4000));
      const again = await ae.command({ id: 2, op: 2, to: '/id-in/cse-in/mesp' });
      expect(again.rsc, again.dbg).toBe(2000);
      const ids = keysOfAe().map((k) => k.relativeKeyID);
      // A key other than the first now exists at the MAF (the first may already be purged as expired).
      expect(new Set([...ids, first[0]!.relativeKeyID]).size).toBeGreaterThanOrEqual(2);
      // Km stays in the AE and the MAF: not in the IN-CSE's output.
      expect(s.cse.output()).not.toContain(km.toString('hex'));
    } finally {
      await ae.stop();
    }
  });
});
