// MEF-provisioned end-to-end credentials (TS-0003 8.6.2 with the RSPF of 8.3, key of 10.3.7 with SUID 23)
// end to end: the MEF process grants an enrolee an ESPrim key for the IN-CSE, the enrolee (m2msec-enrol
// CLI, only Kpm) enrols and holds the key in its SE; the IN-CSE process (endToEnd.esprim.mefProvisioned)
// has never seen the key: at the first ESPrim Object naming the KeID it fetches the key from the MEF
// (/fetchCredentials/<KeID>/23) and binds it to the Enrolee-ID. acaf then passes with ESPrim only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import { ESPrimClient, ESPrimOriginator } from '@m2msec/esprim';
import { currentEnrolment, targetPsk } from '@m2msec/rspf';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { enrolEsprimEnrolee, MEF_FQDN, type MefProcess, startMefProcess } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepareSecureInCse, type SecureInCse } from './saef-setup.js';

vi.setConfig({ testTimeout: 120_000 });

const RSPF_SAEF = 22;
const targetKey = randomBytes(32).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'm2msec-esprim-mef-'));
const sender = new HttpRequestSender({ timeoutMs: 20_000 });
let mef: MefProcess;
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
  return Number(r.headers.get('X-M2M-RSC'));
}

/** Enrols an enrolee with an ESPrim grant for /id-in; returns its KeID and the key from its own SE. */
async function enrolee(n: number) {
  const { seDir } = await enrolEsprimEnrolee(mef, {
    n,
    enroleeId: `Cesp${n}`,
    targetId: '/id-in',
    targetFqdn: 'id-in.m2msec.org',
    workDir: work,
  });
  const se = await openSoftwareSecureEnvironment({
    path: join(seDir, 'keystore.json'),
    keyFile: join(seDir, 'keystore.key'),
  });
  const k = await targetPsk(se, await currentEnrolment(se), '/id-in');
  await se.close();
  return { keId: k.identity, key: Buffer.from(k.key), stem: `Cesp${n}`, aeId: `/id-in/Cesp${n}` };
}

function client(kid: string, key: Uint8Array, stem: string) {
  return new ESPrimClient({
    originator: new ESPrimOriginator({ kid, pairwiseESPrimKey: key }),
    send: (req) => sender.send(`http://127.0.0.1:${s.cse.port}`, req, { retarget: true }),
    from: stem,
    targetCseBase: '/id-in/cse-in',
  });
}

beforeAll(async () => {
  mef = await startMefProcess();
  const keyFile = join(work, 'in-cse-mef.key');
  writeFileSync(keyFile, targetKey, { mode: 0o600 });
  const prepared = await prepareSecureInCse(
    {
      mef: {
        url: mef.urls.psk,
        fqdn: MEF_FQDN,
        targetId: '/id-in',
        pskIdentity: 'id-in@m2msec.org',
        keyFile,
        suid: RSPF_SAEF,
      },
    },
    {
      registration: { appRules: [{ name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
      endToEnd: { esprim: { keys: [], mefProvisioned: true } },
    },
  );
  s = await prepared.start();
  expect(
    (await mef.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'id-in@m2msec.org', key: targetKey })).status,
  ).toBe(200);
  const acp = {
    'm2m:acp': {
      rn: 'acpEsp',
      pv: { acr: [{ acor: ['/id-in/Cesp1', '/id-in/Cesp2'], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await m2m('POST', '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
  expect(await m2m('POST', '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'esp', acpi: ['cse-in/acpEsp'] } })).toBe(2001);
}, 120_000);

afterAll(async () => {
  sender.close();
  await s?.cse.stop();
  await mef?.stop();
});

describe('MEF-provisioned ESPrim keys (SUID 23) at the IN-CSE process', () => {
  it('the <CSEBase> lists RSPF-provisioned ESPrim (SUID 23) in e2eSecInfo', async () => {
    const r = await fetch(`http://127.0.0.1:${s.cse.port}/cse-in`, {
      headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'e', 'X-M2M-RVI': '3', Accept: 'application/json' },
    });
    expect(((await r.json()) as { 'm2m:cb': { esi?: { esf: number[] } } })['m2m:cb'].esi?.esf).toEqual([13, 23]);
  });

  it('without ESPrim: refused; with the enrolee key: fetched from the MEF, bound to the Enrolee-ID, 2000', async () => {
    const e = await enrolee(1);
    // No association on this listener and no ESPrim: refused (4106, security association required).
    expect(await m2m('GET', '/cse-in/esp', e.stem)).toBe(4106);
    const c = client(e.keId, e.key, e.stem);
    // The registration itself travels as an ESPrim Object.
    const reg = await c.request({
      op: 1,
      to: '/id-in/cse-in',
      fr: e.stem,
      rqi: 'm0',
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { rn: e.stem, api: 'Nsensor', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, reg.dbg).toBe(2001);
    const got = await c.request({ op: 2, to: '/id-in/cse-in/esp', fr: e.stem, rqi: 'm1', rvi: '3' });
    expect(got.rsc, got.dbg).toBe(2000);
    // Bound to the Enrolee-ID: another originator with the same key is 4116.
    const other = await c.request({ op: 2, to: '/id-in/cse-in/esp', fr: 'Cesp2', rqi: 'm2', rvi: '3' });
    expect(other.rsc).toBe(4116);
  });

  it('a key the MEF did not provision (right KeID form, wrong key) and an unknown KeID get no access', async () => {
    const e = await enrolee(2);
    const forged = await client(e.keId, randomBytes(32), e.stem).request({
      op: 2,
      to: '/id-in/cse-in/esp',
      fr: e.stem,
      rqi: 'f1',
      rvi: '3',
    });
    expect(forged.rsc).toBe(4115);
    const unknown = await client(`${randomBytes(16).toString('hex')}@${MEF_FQDN}`, e.key, e.stem).request({
      op: 2,
      to: '/id-in/cse-in/esp',
      fr: e.stem,
      rqi: 'f2',
      rvi: '3',
    });
    // The MEF has no such enrolment: nothing to fetch, the key identifier is unknown (Table 7.6.2-1).
    expect(unknown.rsc).toBe(4112);
  });
});
