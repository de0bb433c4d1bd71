// Two BSF instances (own SE each, same KEK imported) over one PostgreSQL schema, as MEF instances behind a
// load balancer: a challenge from one is answered at the other, single use holds across them.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openPostgresStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bsf, createBsf, digestResponse, parseDigestHeader, Usim } from '../src/index.js';

const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `gba_test_${process.pid}_${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'gba-pg-'));
const stores: Store[] = [];
const ses: SecureEnvironment[] = [];
let a: Bsf;
let b: Bsf;

beforeAll(async () => {
  const kek = randomBytes(32);
  const make = async (n: string) => {
    createKeyFile(join(dir, `${n}.kek`));
    const se = await openSoftwareSecureEnvironment({ path: join(dir, `${n}.ks`), keyFile: join(dir, `${n}.kek`) });
    const handle = await se.importKey({ algorithm: 'AES', usages: ['encrypt'], id: 'gba-kek' }, kek);
    const store = await openPostgresStore({ connectionString: PG_URL, schema });
    stores.push(store);
    ses.push(se);
    return createBsf({ store, se, kek: handle, bsfDomain: 'bsf.mef.example.com' });
  };
  a = await make('a');
  b = await make('b');
}, 60_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const s of ses) await s.close();
  spawnSync('psql', [PG_URL, '-q', '-c', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
});

async function challenge(bsf: Bsf, impi: string) {
  const r = await bsf.handleUb({
    method: 'GET',
    uri: '/bsf',
    authorization: `Digest username="${impi}", nonce="", response=""`,
  });
  expect(r.status).toBe(401);
  return parseDigestHeader(r.headers['www-authenticate']!, 'c').get('nonce')!;
}

function answer(impi: string, nonce: string, res: Uint8Array) {
  const input = {
    username: impi,
    realm: 'bsf.mef.example.com',
    password: res,
    nonce,
    nc: '00000001',
    cnonce: 'pg',
    qop: 'auth' as const,
    uri: '/bsf',
  };
  return `Digest username="${impi}", realm="bsf.mef.example.com", nonce="${nonce}", uri="/bsf", qop=auth, nc=00000001, cnonce="pg", response="${digestResponse(input, 'GET')}", algorithm=AKAv1-MD5`;
}

describe('BSF on PostgreSQL shared by two instances', () => {
  it('challenge at A, answer at B; Zn at A; replay at A refused; SEQ_HE counts across instances', async () => {
    const s = { impi: 'pg1@ims.example.com', k: randomBytes(16), op: randomBytes(16) };
    await a.subscribers.provision({ ...s, enrolmentTargets: ['maf.example.com'] });
    const usim = new Usim({ k: s.k, op: s.op });
    const nonce = await challenge(a, s.impi);
    const bytes = Buffer.from(nonce, 'base64');
    const out = usim.authenticate(bytes.subarray(0, 16), bytes.subarray(16, 32));
    if (out.kind !== 'success') throw new Error('expected success');
    const header = answer(s.impi, nonce, out.res);
    const ok = await b.handleUb({ method: 'GET', uri: '/bsf', authorization: header });
    expect(ok.status).toBe(200);
    const btid = /<btid>([^<]+)</.exec(ok.body)![1]!;
    const zn = await a.handleZn({
      method: 'POST',
      authenticatedNafFqdns: ['maf.example.com'],
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify({ btid, nafFqdn: 'maf.example.com' })),
    });
    expect(zn.status).toBe(200);
    expect((await a.handleUb({ method: 'GET', uri: '/bsf', authorization: header })).status).toBe(401);
    await challenge(b, s.impi);
    expect((await a.subscribers.get(s.impi))?.seqHe).toBe(3); // challenge, re-challenge after the replay, challenge
  });

  it('concurrent answers to one nonce at both instances: exactly one 200', async () => {
    const s = { impi: 'pg2@ims.example.com', k: randomBytes(16), op: randomBytes(16) };
    await b.subscribers.provision(s);
    const usim = new Usim({ k: s.k, op: s.op });
    const nonce = await challenge(b, s.impi);
    const bytes = Buffer.from(nonce, 'base64');
    const out = usim.authenticate(bytes.subarray(0, 16), bytes.subarray(16, 32));
    if (out.kind !== 'success') throw new Error('expected success');
    const header = answer(s.impi, nonce, out.res);
    const results = await Promise.all(
      [a, b, a, b].map((bsf) => bsf.handleUb({ method: 'GET', uri: '/bsf', authorization: header })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
  });
});
