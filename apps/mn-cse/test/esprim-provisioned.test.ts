// The MN-CSE process as ESPrim Target (TS-0003 8.4, 7.2.2) with remotely provisioned keys, configured by the
// IN-CSE's `endToEnd` section: MEF-provisioned pairwiseESPrimKeys (8.6.2 with the RSPF of 8.3, SUID 23,
// `mefProvisioned` with `security.mef`) and MAF-distributed ones (8.4.2 A, C.6a, SUID 33, `mafDistributed`
// with `security.maf`). The MEF and the MAF run as their own processes, the enrolee is m2msec-enrol; the
// MN-CSE has never seen any of the keys and fetches each at the first ESPrim Object naming it. An AE talks
// ESPrim to the MN-CSE's <CSEBase>: the acaf container admits it with ESPrim only. Attacks: a wrong key
// under a valid key identifier (4115), a key the MEF / MAF provisioned for another CSE (4112), a valid key
// under another From (4116). Source-generated keys (8.6.3, registered at the MAF as TEF with the Key Value
// the Source drew, 8.8.2.7 2.b) serve the same way, bound to the identity the Source's MAF Handshake proved:
// a client that registers a key of its own cannot make it speak for another AE (4116).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import { ESPrimClient, ESPrimOriginator } from '@m2msec/esprim';
import { MafClient, registerESPrimKey, registerSourceGeneratedESPrimKey } from '@m2msec/maf';
import { inCseDefaults, openInCseSecureEnvironment } from '@m2msec/node';
import type { RequestPrimitive } from '@m2msec/protocol';
import { currentEnrolment, targetPsk } from '@m2msec/rspf';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { CredentialStore } from '@m2msec/sensitive-data';
import {
  enrolEsprimEnrolee,
  freePort,
  MAF_ADMIN_FQDN,
  MAF_FQDN,
  type MafProcess,
  MEF_FQDN,
  type MefProcess,
  startAeProcess,
  startMafProcess,
  startMefProcess,
  waitForMafRegistration,
} from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MnCseProcess, startMnCseProcess } from './mn-process.js';

vi.setConfig({ testTimeout: 120_000 });

const ID_MN = '//m2msec.org/id-mn';
const mefTargetKey = randomBytes(32);
const kmMn = randomBytes(32);
const kmIdMn = `mn-cse@${MAF_FQDN}`;
/** A pre-provisioned pairwiseESPrimKey (8.4.2 A) from a key file, beside the fetched ones. */
const preKey = randomBytes(32);
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const work = tmp('m2msec-mn-esprim-');
const sender = new HttpRequestSender({ timeoutMs: 20_000 });
let mef: MefProcess;
let maf: MafProcess;
let mn: MnCseProcess;
let mnUrl: string;
let n = 0;

const plain = (r: Omit<RequestPrimitive, 'rqi' | 'rvi'>) =>
  sender.send(mnUrl, { ...r, rqi: `p${++n}`, rvi: '3' } as RequestPrimitive);

function esprimClient(kid: string, key: Uint8Array, stem: string) {
  return new ESPrimClient({
    originator: new ESPrimOriginator({ kid, pairwiseESPrimKey: key }),
    send: (req) => sender.send(mnUrl, req, { retarget: true }),
    from: stem,
    targetCseBase: '/id-mn/cse-mn',
  });
}

/** An enrolee of the MEF with an ESPrim grant (SUID 23) for `targetId`: its KeID and key from its own SE. */
async function mefEnrolee(i: number, targetId: string) {
  const { seDir } = await enrolEsprimEnrolee(mef, {
    n: i,
    enroleeId: `Cesp${i}`,
    targetId,
    targetFqdn: `${targetId.slice(1)}.m2msec.org`,
    workDir: work,
  });
  const se = await openSoftwareSecureEnvironment({
    path: join(seDir, 'keystore.json'),
    keyFile: join(seDir, 'keystore.key'),
  });
  try {
    const k = await targetPsk(se, await currentEnrolment(se), targetId);
    return { kid: k.identity, key: Buffer.from(k.key), stem: `Cesp${i}` };
  } finally {
    await se.close();
  }
}

/** A MAF client with its own Km, registered at the MAF: the Originator's side of 8.4.2 A. */
async function mafOriginator(stem: string): Promise<MafClient> {
  const km = randomBytes(32);
  const kmId = `${stem.toLowerCase()}@${MAF_FQDN}`;
  maf.admin(['add-km', '--km-id', kmId, '--client-id', `${ID_MN}/${stem}`, '--key-file', '-'], km.toString('hex'));
  const c = new MafClient({
    mafUrl: maf.pskUrl,
    mafFqdn: MAF_FQDN,
    credential: { kind: 'psk', identity: kmId, key: km },
  });
  await c.registerClient({ adminFQDN: MAF_ADMIN_FQDN, expirationTime: Date.now() + 3_600_000 });
  return c;
}

beforeAll(async () => {
  [mef, maf] = await Promise.all([startMefProcess(), startMafProcess()]);
  maf.admin(['add-km', '--km-id', kmIdMn, '--client-id', ID_MN, '--key-file', '-'], kmMn.toString('hex'));
  const dataDir = join(work, 'data');
  const keyFile = join(tmp('m2msec-mn-esprim-kek-'), 'kek');
  const mefKeyFile = join(work, 'mef-target.hex');
  writeFileSync(mefKeyFile, mefTargetKey.toString('hex'), { mode: 0o600 });
  const preKeyFile = join(work, 'pre.esprim');
  writeFileSync(preKeyFile, preKey.toString('base64'), { mode: 0o600 });
  const registrarKey = join(work, 'registrar.hex');
  writeFileSync(registrarKey, randomBytes(32).toString('hex'), { mode: 0o600 });
  // The MN-CSE's Km at its MAF in its keystore before it starts (the node's keystore, as `credentials add-km`).
  const d = structuredClone(inCseDefaults);
  const se = await openInCseSecureEnvironment({ ...d, dataDir, security: { ...d.security, keyFile } });
  const credentials = await CredentialStore.open({ se });
  await credentials.addKey('Km', { credentialId: kmIdMn, owner: 'test', suid: 11 }, kmMn);
  credentials.close();
  await se.close();
  const httpPort = await freePort();
  mnUrl = `http://127.0.0.1:${httpPort}`;
  mn = await startMnCseProcess(work, {
    http: { host: '127.0.0.1', port: httpPort, maxBodyBytes: 1048576 },
    dataDir,
    // A registrar that is not there: registration retries in the background; the AE talks to this CSE.
    registrar: {
      url: `https://127.0.0.1:${await freePort()}`,
      retryMs: 60_000,
      psk: { identity: 'mn', keyFile: registrarKey },
    },
    registration: { appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
    security: {
      keyFile,
      mef: {
        url: mef.urls.psk,
        fqdn: MEF_FQDN,
        targetId: '/id-mn',
        pskIdentity: 'id-mn@m2msec.org',
        keyFile: mefKeyFile,
        suid: 22,
      },
      maf: { url: maf.pskUrl, fqdn: MAF_FQDN, kmId: kmIdMn, adminFQDN: MAF_ADMIN_FQDN },
    },
    endToEnd: {
      esprim: {
        keys: [{ kid: 'pre-1', identity: '/id-mn/Cpre', keyFile: preKeyFile }],
        mefProvisioned: true,
        mafDistributed: true,
      },
    },
  });
  const put = await mef.admin('PUT', '/admin/targets/%2Fid-mn', {
    pskIdentity: 'id-mn@m2msec.org',
    key: mefTargetKey.toString('hex'),
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  await waitForMafRegistration(maf, ID_MN, () => mn.output());
  const acp = {
    'm2m:acp': {
      rn: 'acpEsp',
      pv: { acr: [{ acor: ['/id-mn/Cesp1', '/id-mn/CmafE1', '/id-mn/CsrcE1', '/id-mn/CsrcAe'], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  const a = await plain({ op: 1, to: 'cse-mn', fr: 'CAdmin', ty: 1, pc: acp });
  expect(a.rsc, JSON.stringify(a.pc)).toBe(2001);
  const c = await plain({
    op: 1,
    to: 'cse-mn',
    fr: 'CAdmin',
    ty: 3,
    pc: { 'm2m:cnt': { rn: 'esp', acpi: ['cse-mn/acpEsp'] } },
  });
  expect(c.rsc, JSON.stringify(c.pc)).toBe(2001);
}, 180_000);

afterAll(async () => {
  sender.close();
  await mn?.stop();
  await Promise.all([mef?.stop(), maf?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Registers the AE through ESPrim, reads the acaf container, and tries another From under the same key. */
async function registerAndRead(c: ESPrimClient, stem: string) {
  const reg = await c.request({
    op: 1,
    to: '/id-mn/cse-mn',
    fr: stem,
    rqi: `${stem}-0`,
    rvi: '3',
    ty: 2,
    pc: { 'm2m:ae': { rn: stem, api: 'Nsensor', rr: false, srv: ['3'] } },
  });
  expect(reg.rsc, reg.dbg).toBe(2001);
  const got = await c.request({ op: 2, to: '/id-mn/cse-mn/esp', fr: stem, rqi: `${stem}-1`, rvi: '3' });
  expect(got.rsc, got.dbg).toBe(2000);
  // The key is bound to the identity its source named: another originator with it is 4116 (7.2.2).
  const other = await c.request({ op: 2, to: '/id-mn/cse-mn/esp', fr: 'Cintruder', rqi: `${stem}-2`, rvi: '3' });
  expect(other.rsc).toBe(4116);
}

const read = (c: ESPrimClient, stem: string) =>
  c.request({ op: 2, to: '/id-mn/cse-mn/esp', fr: stem, rqi: `${stem}-r${++n}`, rvi: '3' });

describe('MN-CSE process: ESPrim Target with MEF-provisioned and MAF-distributed keys', () => {
  it('the <CSEBase> lists pre-provisioned, RSPF and MAF ESPrim (SUIDs 13, 23, 33) in e2eSecInfo', async () => {
    const r = await plain({ op: 2, to: 'cse-mn', fr: 'CAdmin' });
    expect((r.pc as { 'm2m:cb': { esi?: { esf: number[] } } })['m2m:cb'].esi?.esf).toEqual([13, 23, 33]);
  });

  it('a pre-provisioned key from a key file serves beside them', async () => {
    const c = esprimClient('pre-1', preKey, 'Cpre');
    const reg = await c.request({
      op: 1,
      to: '/id-mn/cse-mn',
      fr: 'Cpre',
      rqi: 'pre-0',
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { rn: 'Cpre', api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, reg.dbg).toBe(2001);
    expect((await read(esprimClient('pre-1', randomBytes(32), 'Cpre'), 'Cpre')).rsc).toBe(4115);
  });

  it('MEF-provisioned key (SUID 23): without ESPrim acaf refuses; with it the AE registers and reads', async () => {
    const e = await mefEnrolee(1, '/id-mn');
    // No association on the plain listener and no ESPrim: the acaf rule cannot match (4106).
    expect((await plain({ op: 2, to: 'cse-mn/esp', fr: 'Cesp1' })).rsc).toBe(4106);
    await registerAndRead(esprimClient(e.kid, e.key, e.stem), e.stem);
  });

  it('attack (MEF): a wrong key under a valid KeID is 4115; a key the MEF provisioned for another CSE is 4112', async () => {
    const e = await mefEnrolee(2, '/id-mn');
    expect((await read(esprimClient(e.kid, randomBytes(32), e.stem), e.stem)).rsc).toBe(4115);
    // The enrolee holds a genuine MEF key, but for /id-in: the MEF will not give it to this CSE.
    const elsewhere = await mefEnrolee(3, '/id-in');
    expect((await read(esprimClient(elsewhere.kid, elsewhere.key, elsewhere.stem), elsewhere.stem)).rsc).toBe(4112);
  });

  it('MAF-distributed key (SUID 33): without ESPrim acaf refuses; with it the AE registers and reads', async () => {
    const c = await mafOriginator('CmafE1');
    const k = await registerESPrimKey(c, {
      adminFQDN: MAF_ADMIN_FQDN,
      targetID: ID_MN,
      expirationTime: Date.now() + 600_000,
    });
    expect((await plain({ op: 2, to: 'cse-mn/esp', fr: 'CmafE1' })).rsc).toBe(4106);
    await registerAndRead(esprimClient(k.kid, k.key, 'CmafE1'), 'CmafE1');
  });

  it('attack (MAF): a key registered for another CSE is 4112; a wrong key under a valid kid is 4115', async () => {
    const c = await mafOriginator('CmafE2');
    const elsewhere = await registerESPrimKey(c, {
      adminFQDN: MAF_ADMIN_FQDN,
      targetID: '//m2msec.org/id-in',
      expirationTime: Date.now() + 600_000,
    });
    expect((await read(esprimClient(elsewhere.kid, elsewhere.key, 'CmafE2'), 'CmafE2')).rsc).toBe(4112);
    const mine = await registerESPrimKey(c, {
      adminFQDN: MAF_ADMIN_FQDN,
      targetID: ID_MN,
      expirationTime: Date.now() + 600_000,
    });
    expect((await read(esprimClient(mine.kid, randomBytes(32), 'CmafE2'), 'CmafE2')).rsc).toBe(4115);
    // No key in the MN-CSE's output.
    for (const key of [mine.key, elsewhere.key, kmMn, mefTargetKey, preKey]) {
      expect(mn.output()).not.toContain(key.toString('hex'));
      expect(mn.output()).not.toContain(key.toString('base64'));
    }
  });
});

describe('MN-CSE process: Source-generated ESPrim keys registered at the MAF (TS-0003 8.6.3, 8.8.2.7 2.b)', () => {
  it('the AE generates its key and registers it; the MN-CSE retrieves it and admits the AE through acaf', async () => {
    const c = await mafOriginator('CsrcE1');
    const k = await registerSourceGeneratedESPrimKey(c, {
      adminFQDN: MAF_ADMIN_FQDN,
      targetID: ID_MN,
      expirationTime: Date.now() + 600_000,
    });
    await registerAndRead(esprimClient(k.kid, k.key, 'CsrcE1'), 'CsrcE1');
  });

  it('attack: a key registered by one client does not authenticate an identity it did not prove (4116)', async () => {
    // CsrcX holds a MAF Km of its own and registers a genuine key for this MN-CSE, then claims to be
    // CsrcE1 (who may read the acaf container): the key is bound to CsrcX, so From CsrcE1 is refused.
    const attacker = await mafOriginator('CsrcX');
    const k = await registerSourceGeneratedESPrimKey(attacker, {
      adminFQDN: MAF_ADMIN_FQDN,
      targetID: ID_MN,
      expirationTime: Date.now() + 600_000,
    });
    const r = await read(esprimClient(k.kid, k.key, 'CsrcE1'), 'CsrcE1');
    expect(r.rsc).toBe(4116);
    // Under its own name the key works: CsrcX registers, but the acaf rule does not list it.
    const own = esprimClient(k.kid, k.key, 'CsrcX');
    const reg = await own.request({
      op: 1,
      to: '/id-mn/cse-mn',
      fr: 'CsrcX',
      rqi: 'x0',
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { rn: 'CsrcX', api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, reg.dbg).toBe(2001);
    expect((await read(own, 'CsrcX')).rsc).toBe(4103);
  });

  it('the AE app (endToEnd.esprim.maf.sourceGenerated) registers its own Kc and reads through ESPrim', async () => {
    const d = tmp('m2msec-mn-esprim-ae-');
    const km = randomBytes(32);
    const kmId = `csrcae@${MAF_FQDN}`;
    maf.admin(['add-km', '--km-id', kmId, '--client-id', `${ID_MN}/CsrcAe`, '--key-file', '-'], km.toString('hex'));
    const kmFile = join(d, 'km.hex');
    writeFileSync(kmFile, km.toString('hex'), { mode: 0o600 });
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: mnUrl },
        appId: 'Nsrc',
        stem: 'CsrcAe',
        endToEnd: {
          esprim: {
            maf: {
              url: maf.pskUrl,
              fqdn: MAF_FQDN,
              kmId,
              kmFile,
              adminFQDN: MAF_ADMIN_FQDN,
              targetID: ID_MN,
              sourceGenerated: true,
            },
            targetCseBase: '/id-mn/cse-mn',
          },
        },
      }),
      { mode: 0o600 },
    );
    const ae = startAeProcess(configPath);
    try {
      // Its registration at the MN-CSE travelled as an ESPrim Object (the plain listener alone cannot pass acaf).
      const ready = await ae.next((e) => e.event === 'ready' || e.event === 'error');
      expect(ready.aeId, ae.stderr()).toBe('/id-mn/CsrcAe');
      const got = await ae.command({ id: 1, op: 2, to: '/id-mn/cse-mn/esp' });
      expect(got.rsc, got.dbg).toBe(2000);
      // One key at the MAF, SUID 33, with the AE as its source.
      const keys = (JSON.parse(maf.admin(['list-keys'])) as Array<{ sourceClientID: string; suid: number }>).filter(
        (k) => k.sourceClientID === `${ID_MN}/CsrcAe`,
      );
      expect(keys.map((k) => k.suid)).toEqual([33]);
      expect(mn.output()).not.toContain(km.toString('hex'));
    } finally {
      await ae.stop();
    }
  });
});
