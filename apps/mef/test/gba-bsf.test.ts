// The MEF process as GBA BSF (TS-0003 8.3.2.3): the device side is m2msec-enrol gba (bootstrap, Ks_NAF
// per Enrolment Target) and a hand-made Ub client for the refusals; the NAF side is gba's ZnClient over
// the Zn listener with a NAF credential. Wrong RES, replayed nonce and stale SQN (-> AUTS -> resync)
// are each handled by the process.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { digestResponse, parseDigestHeader, Usim, ZnClient } from '@m2msec/gba';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { dist, type MefProcess, run, startMefProcess, tmp } from './helpers.js';

const BSF_DOMAIN = 'bsf.mef.m2msec.org';
const NAF = 'id-in.m2msec.org';
const dir = tmp('m2msec-mef-gba-');
let secrets = 0;
/** A key as an owner-only hex file: keys never go on a command line (issue 12 item 8). */
const secret = (key: Uint8Array): string => {
  const f = join(dir, `secret-${++secrets}.hex`);
  writeFileSync(f, Buffer.from(key).toString('hex'), { mode: 0o600 });
  return f;
};
const credential = randomBytes(24).toString('base64url');
let mef: MefProcess;
const cli = (args: string[]) => run(process.execPath, [join(dist, 'enrol.js'), ...args], { timeoutMs: 120_000 });

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bsf',
    ].concat(['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'zn.key'), '-out', join(dir, 'zn.crt')]),
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'naf.credential'), `${credential}\n`, { mode: 0o600 });
  const config = join(dir, 'mef.json');
  writeFileSync(
    config,
    JSON.stringify({
      gba: {
        bsfDomain: BSF_DOMAIN,
        ub: { host: '127.0.0.1', port: 0 },
        zn: {
          host: '127.0.0.1',
          port: 0,
          cert: join(dir, 'zn.crt'),
          key: join(dir, 'zn.key'),
          nafCredentials: [{ nafFqdn: NAF, credentialFile: join(dir, 'naf.credential') }],
        },
      },
    }),
  );
  mef = await startMefProcess({ M2MSEC_MEF_CONFIG: config });
}, 60_000);
afterAll(() => mef?.stop());

let n = 0;
async function subscriber() {
  n++;
  const s = { impi: `sensor${n}@ims.m2msec.org`, k: randomBytes(16), opc: randomBytes(16), enroleeId: `Csensor${n}` };
  const r = await mef.admin('PUT', `/admin/gba/subscribers/${s.impi}`, {
    k: s.k.toString('hex'),
    opc: s.opc.toString('hex'),
    enroleeId: s.enroleeId,
    targets: [NAF],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return s;
}

const zn = () =>
  new ZnClient({
    url: mef.urls.gbaZn!,
    nafFqdn: NAF,
    credential,
    agent: new https.Agent({ ca: readFileSync(join(dir, 'zn.crt')) }),
  });

/** One Ub request (the Digest uri is the request target). */
async function ub(authorization: string) {
  const r = await fetch(mef.urls.gbaUb!, { headers: { authorization } });
  return { status: r.status, headers: r.headers, body: await r.text() };
}
const uri = () => new URL(mef.urls.gbaUb!).pathname;

async function challenge(impi: string) {
  const r = await ub(`Digest username="${impi}", realm="${BSF_DOMAIN}", nonce="", uri="${uri()}", response=""`);
  expect(r.status).toBe(401);
  const nonce = parseDigestHeader(r.headers.get('www-authenticate')!, 'challenge').get('nonce')!;
  const bytes = Buffer.from(nonce, 'base64');
  return { nonce, rand: bytes.subarray(0, 16), autn: bytes.subarray(16, 32) };
}

function answer(impi: string, nonce: string, password: Buffer) {
  const cnonce = randomBytes(8).toString('hex');
  const input = {
    username: impi,
    realm: BSF_DOMAIN,
    password,
    nonce,
    nc: '00000001',
    cnonce,
    qop: 'auth' as const,
    uri: uri(),
  };
  const response = digestResponse(input, 'GET');
  return (
    `Digest username="${impi}", realm="${BSF_DOMAIN}", nonce="${nonce}", uri="${uri()}", qop=auth, ` +
    `nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=AKAv1-MD5`
  );
}

describe('MEF process as GBA BSF', () => {
  it('m2msec-enrol gba bootstraps (401 challenge -> response -> B-TID); the NAF gets the same Ks_NAF over Zn', async () => {
    const s = await subscriber();
    const pskFile = join(dir, `ks-naf-${n}.hex`);
    const r = await cli(
      ['gba', '--bsf', mef.urls.gbaUb!, '--impi', s.impi, '--k-file', secret(s.k)].concat([
        '--opc-file',
        secret(s.opc),
        '--naf',
        NAF,
        '--psk-out',
        pskFile,
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.btid).toMatch(/^[A-Za-z0-9+/]{22}==@bsf\.mef\.m2msec\.org$/);
    expect(out.targets).toEqual([{ nafFqdn: NAF, pskIdentity: out.btid, pskFile }]);
    const ksNaf = readFileSync(pskFile, 'utf8').trim();
    expect(ksNaf).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stdout + r.stderr).not.toContain(ksNaf);
    expect(r.stdout + r.stderr).not.toContain(s.k.toString('hex'));
    const key = await zn().fetchKsNaf(out.btid);
    expect(key.ksNaf.toString('hex')).toBe(ksNaf);
    expect(key.enroleeId).toBe(s.enroleeId);
  });

  it('a wrong RES is refused (403) and withdraws the challenge', async () => {
    const s = await subscriber();
    const c = await challenge(s.impi);
    const wrong = await ub(answer(s.impi, c.nonce, randomBytes(8)));
    expect(wrong.status).toBe(403);
    // The right RES on the same nonce is too late: the nonce was verified once; a fresh challenge comes back.
    const aka = new Usim({ k: s.k, opc: s.opc }).authenticate(c.rand, c.autn);
    expect(aka.kind).toBe('success');
    const late = await ub(answer(s.impi, c.nonce, (aka as { res: Buffer }).res));
    expect(late.status).toBe(401);
    expect(late.headers.get('www-authenticate')).toMatch(/nonce="(?!")/);
  });

  it('a replayed nonce and response after success are refused and give no second B-TID', async () => {
    const s = await subscriber();
    const c = await challenge(s.impi);
    const aka = new Usim({ k: s.k, opc: s.opc }).authenticate(c.rand, c.autn);
    const header = answer(s.impi, c.nonce, (aka as { res: Buffer }).res);
    const ok = await ub(header);
    expect(ok.status).toBe(200);
    const btid = /<btid>([^<]+)<\/btid>/.exec(ok.body)![1]!;
    const replay = await ub(header);
    expect(replay.status).toBe(401);
    expect(replay.body).not.toContain('<btid>');
    expect((await zn().fetchKsNaf(btid)).enroleeId).toBe(s.enroleeId);
  });

  it('a stale SQN at the HE: the USIM answers AUTS, the MEF resynchronises, the bootstrap succeeds', async () => {
    const s = await subscriber();
    const state = join(dir, `usim-${n}.json`);
    const args = ['gba', '--bsf', mef.urls.gbaUb!, '--impi', s.impi, '--k-file', secret(s.k)].concat([
      '--opc-file',
      secret(s.opc),
      '--usim-state',
      state,
    ]);
    for (let i = 0; i < 3; i++) expect((await cli(args)).code).toBe(0);
    expect((await mef.admin('GET', `/admin/gba/subscribers/${s.impi}`)).body.seqHe).toBe(3);
    // The HE loses its sequence (re-provisioned with SQN 0): its next SQN is one the USIM already used.
    const reset = await mef.admin('PUT', `/admin/gba/subscribers/${s.impi}`, {
      k: s.k.toString('hex'),
      opc: s.opc.toString('hex'),
      sqn: '000000000000',
      enroleeId: s.enroleeId,
      targets: [NAF],
    });
    expect(reset.body.seqHe).toBe(0);
    const usim = new Usim({ k: s.k, opc: s.opc, state: JSON.parse(readFileSync(state, 'utf8')) });
    const c = await challenge(s.impi);
    expect(usim.authenticate(c.rand, c.autn).kind).toBe('sync-failure'); // SQN 1 <= SEQ_MS 3
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    // TS 33.102 6.3.5: SEQ_HE := SEQ_MS (3), then the new challenge used SEQ 4.
    expect((await mef.admin('GET', `/admin/gba/subscribers/${s.impi}`)).body.seqHe).toBe(4);
    expect((await zn().fetchKsNaf(JSON.parse(r.stdout).btid)).impi).toBe(s.impi);
  });

  it('usage errors: --naf without --psk-out, both --opc-file and --op-file', async () => {
    const base = ['gba', '--bsf', mef.urls.gbaUb!, '--impi', 'x@ims.m2msec.org', '--k-file', secret(randomBytes(16))];
    const a = await cli([...base, '--opc-file', secret(randomBytes(16)), '--naf', NAF]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/one --psk-out per --naf/);
    const b = await cli([...base, '--opc-file', secret(randomBytes(16)), '--op-file', secret(randomBytes(16))]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/exactly one of --opc-file and --op-file/);
  });
});
