// Attack family: replay in GBA-based RSPF (TS-0003 8.3.2.3; 3GPP TS 33.220 4.5.2, TS 24.109 5.3.2, RFC 3310).
// The MEF process is the BSF. An eavesdropper on the Ub (plain HTTP here, as TS 24.109 allows) records a
// whole bootstrapping run: the 401 challenge (nonce = base64(RAND || AUTN)) and the device's Digest answer;
// B-TIDs travel in the clear too (the psk_identity of every TLS-PSK handshake with a NAF). Each case replays
// one recorded value and expects the exact refusal:
//   - the recorded answer again, and again after the MEF was SIGKILLed and restarted: 401 with a fresh
//     challenge, never a second B-TID (the nonce is consumed in the transaction that stores Ks);
//   - another subscriber answering the recorded nonce with its own valid Digest: 401, no B-TID (a nonce
//     belongs to the IMPI it was issued to);
//   - the recorded challenge played to the device by a fake BSF: the USIM refuses the old SQN and answers
//     with AUTS (TS 33.102 6.3.3), so no RES and no Ks for the fake BSF;
//   - a superseded B-TID (the device bootstrapped again) at the Zn: 404, only the new one is served.
// The Ub nonce replay is also pinned in apps/mef/test/gba-bsf.test.ts; the expired B-TID at the IN-CSE NAF in
// apps/in-cse/test/gba-rspf.test.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Milenage } from '@m2msec/crypto';
import { digestResponse, isGbaError, parseDigestHeader, Usim, ZnClient } from '@m2msec/gba';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MefNode, startMef } from '../../src/nodes/mef.js';

const BSF_DOMAIN = 'bsf.mef.m2msec.org';
const NAF = 'id-in.m2msec.org';
const dir = mkdtempSync(join(tmpdir(), 'm2msec-gba-replay-'));
const dataDir = join(dir, 'data');
const kekFile = join(dir, 'kek.hex');
const credential = randomBytes(24).toString('base64url');
let config: Record<string, unknown>;
let mef: MefNode;

beforeAll(async () => {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=bsf',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'zn.key'),
      '-out',
      join(dir, 'zn.crt'),
    ]),
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'naf.credential'), `${credential}\n`, { mode: 0o600 });
  writeFileSync(kekFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  config = {
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
  };
  mef = await startMef({ config, dataDir, kekFile });
});
afterAll(async () => mef?.stop('SIGKILL'));

interface Subscriber {
  impi: string;
  k: Buffer;
  opc: Buffer;
  usim: Usim;
}

let n = 0;
async function subscriber(): Promise<Subscriber> {
  n++;
  const impi = `replay${n}@ims.m2msec.org`;
  const k = randomBytes(16);
  const opc = randomBytes(16);
  const r = await mef.admin('PUT', `/admin/gba/subscribers/${impi}`, {
    k: k.toString('hex'),
    opc: opc.toString('hex'),
    enroleeId: `Creplay${n}`,
    targets: [NAF],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { impi, k, opc, usim: new Usim({ k, opc }) };
}

const ubPath = () => new URL(mef.urls.gbaUb!).pathname;

async function ub(authorization: string) {
  const r = await fetch(mef.urls.gbaUb!, { headers: { authorization } });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

/** Step 1 of the Ub: the 401 with the AKA challenge. */
async function challenge(impi: string) {
  const r = await ub(`Digest username="${impi}", realm="${BSF_DOMAIN}", nonce="", uri="${ubPath()}", response=""`);
  expect(r.status).toBe(401);
  const nonce = parseDigestHeader(r.headers.get('www-authenticate')!, 'challenge').get('nonce')!;
  const bytes = Buffer.from(nonce, 'base64');
  return { nonce, rand: bytes.subarray(0, 16), autn: bytes.subarray(16, 32) };
}

/** Step 2: the Digest answer over `nonce` with `password` (RES). */
function answer(impi: string, nonce: string, password: Buffer): string {
  const cnonce = randomBytes(8).toString('hex');
  const uri = ubPath();
  const input = {
    username: impi,
    realm: BSF_DOMAIN,
    password,
    nonce,
    nc: '00000001',
    cnonce,
    qop: 'auth' as const,
    uri,
  };
  return (
    `Digest username="${impi}", realm="${BSF_DOMAIN}", nonce="${nonce}", uri="${uri}", qop=auth, ` +
    `nc=00000001, cnonce="${cnonce}", response="${digestResponse(input, 'GET')}", algorithm=AKAv1-MD5`
  );
}

function res(s: Subscriber, c: { rand: Buffer; autn: Buffer }): Buffer {
  const aka = s.usim.authenticate(c.rand, c.autn);
  if (aka.kind !== 'success') throw new Error(`AKA failed: ${aka.kind}`);
  return aka.res;
}

const btidOf = (body: string) => /<btid>([^<]+)<\/btid>/.exec(body)?.[1];

/** A full bootstrapping run as an eavesdropper records it. */
async function bootstrapRecorded(s: Subscriber) {
  const c = await challenge(s.impi);
  const header = answer(s.impi, c.nonce, res(s, c));
  const ok = await ub(header);
  expect(ok.status, ok.body).toBe(200);
  return { challenge: c, header, btid: btidOf(ok.body)! };
}

const zn = () =>
  new ZnClient({
    url: mef.urls.gbaZn!,
    nafFqdn: NAF,
    credential,
    agent: new https.Agent({ ca: readFileSync(join(dir, 'zn.crt')) }),
  });

async function znStatus(btid: string): Promise<number> {
  try {
    await zn().fetchKsNaf(btid);
    return 200;
  } catch (e) {
    if (isGbaError(e)) return e.status;
    throw e;
  }
}

describe('GBA replay against the MEF process as BSF', () => {
  it('a recorded Ub answer replayed: 401 with a fresh challenge, no second B-TID, also after a SIGKILL and restart', async () => {
    const s = await subscriber();
    const run = await bootstrapRecorded(s);
    const again = await ub(run.header);
    expect(again.status).toBe(401);
    expect(btidOf(again.body)).toBeUndefined();
    expect(again.headers.get('www-authenticate')).toMatch(/nonce="(?!")/);
    // A second recorded run whose answer is replayed only after a crash: the consumed nonce is on disk.
    const later = await bootstrapRecorded(s);
    await mef.stop('SIGKILL');
    mef = await startMef({ config, dataDir, kekFile });
    const afterRestart = await ub(later.header);
    expect(afterRestart.status).toBe(401);
    expect(btidOf(afterRestart.body)).toBeUndefined();
    expect(await znStatus(later.btid)).toBe(200); // the genuine run's key survived the crash
  });

  it('another subscriber answering a recorded nonce with its own valid Digest: 401, no B-TID', async () => {
    const victim = await subscriber();
    const attacker = await subscriber();
    const c = await challenge(victim.impi);
    // The attacker holds its own K and OPc: it computes a valid RES for any RAND under its own IMPI.
    const attackerRes = new Milenage(attacker.k, attacker.opc).f2345(c.rand).res;
    const forged = answer(attacker.impi, c.nonce, attackerRes);
    const r = await ub(forged);
    expect(r.status).toBe(401);
    expect(btidOf(r.body)).toBeUndefined();
    // The victim's challenge was not consumed by the attacker: the victim still bootstraps on it.
    const ok = await ub(answer(victim.impi, c.nonce, res(victim, c)));
    expect(ok.status, ok.body).toBe(200);
  });

  it('a recorded challenge played to the device by a fake BSF: the USIM refuses the old SQN (AUTS), no RES', async () => {
    const s = await subscriber();
    const run = await bootstrapRecorded(s);
    const aka = s.usim.authenticate(run.challenge.rand, run.challenge.autn);
    expect(aka.kind).toBe('sync-failure');
    expect('res' in aka).toBe(false);
  });

  it('a superseded B-TID (the device bootstrapped again) is refused at the Zn with 404; the new one is served', async () => {
    const s = await subscriber();
    const first = await bootstrapRecorded(s);
    expect(await znStatus(first.btid)).toBe(200);
    const second = await bootstrapRecorded(s);
    expect(second.btid).not.toBe(first.btid);
    expect(await znStatus(first.btid)).toBe(404);
    expect(await znStatus(second.btid)).toBe(200);
  });
});
