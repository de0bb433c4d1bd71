// Subscriber provisioning, BSF options, expiry purge and failures below the BSF.
import { randomBytes } from 'node:crypto';
import { computeOPc } from '@m2msec/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, createBsf, Usim } from '../src/index.js';
import { httpRequest } from '../src/lib/http-request.js';
import { type BsfFixture, startBsf } from './helpers/fixture.js';

let f: BsfFixture;
beforeAll(async () => {
  f = await startBsf({ keyLifetimeSeconds: 60 });
});
afterAll(async () => {
  await f.close();
});

describe('subscriber database', () => {
  it('provision with OP or OPc gives the same subscriber; get never returns K or OPc', async () => {
    const k = randomBytes(16);
    const op = randomBytes(16);
    const viaOp = await f.bsf.subscribers.provision({
      impi: 'a1@ims.example.com',
      k,
      op,
      enrolmentTargets: ['MAF.Example.com', 'maf.example.com'],
    });
    expect(viaOp).toEqual({ impi: 'a1@ims.example.com', seqHe: 0, amf: '0000', enrolmentTargets: ['maf.example.com'] });
    await f.bsf.subscribers.provision({ impi: 'a1@ims.example.com', k, opc: computeOPc(k, op) });
    // The device with OP bootstraps against the record provisioned with OPc.
    expect((await bootstrap({ url: f.ubUrl, impi: 'a1@ims.example.com', usim: new Usim({ k, op }) })).btid).toContain(
      '@',
    );
    const rows = await f.snapshot();
    expect(rows).not.toContain(k.toString('hex'));
    expect(rows).not.toContain(k.toString('base64'));
    expect(JSON.stringify(await f.bsf.subscribers.get('a1@ims.example.com'))).not.toMatch(/keys|"k"|opc/i);
    expect(await f.bsf.subscribers.delete('a1@ims.example.com')).toBe(true);
    expect(await f.bsf.subscribers.get('a1@ims.example.com')).toBeUndefined();
  });

  it('re-provisioning keeps SEQ_HE unless one is given', async () => {
    const k = randomBytes(16);
    const op = randomBytes(16);
    await f.bsf.subscribers.provision({ impi: 'a2@ims.example.com', k, op, seqHe: 41 });
    expect((await f.bsf.subscribers.provision({ impi: 'a2@ims.example.com', k, op })).seqHe).toBe(41);
    expect((await f.bsf.subscribers.provision({ impi: 'a2@ims.example.com', k, op, seqHe: 0 })).seqHe).toBe(0);
  });

  it.each([
    [{ impi: 'bad impi', k: randomBytes(16), op: randomBytes(16) }, /IMPI must be/],
    [{ impi: 'x@y', k: randomBytes(15), op: randomBytes(16) }, /K must be 16 bytes/],
    [{ impi: 'x@y', k: randomBytes(16) }, /exactly one of OP and OPc/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), opc: randomBytes(16) }, /exactly one of OP and OPc/],
    [{ impi: 'x@y', k: randomBytes(16), opc: randomBytes(17) }, /OPc must be 16 bytes/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), amf: randomBytes(3) }, /AMF must be 2 bytes/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), seqHe: -1 }, /SEQ_HE out of range/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), seqHe: 2 ** 43 }, /SEQ_HE out of range/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), enroleeId: '' }, /Enrolee-ID/],
    [{ impi: 'x@y', k: randomBytes(16), op: randomBytes(16), enrolmentTargets: ['not an fqdn'] }, /Enrolment Target/],
  ])('refuses %#: %s', async (p, why) => {
    const before = await f.snapshot();
    await expect(f.bsf.subscribers.provision(p as never)).rejects.toThrow(why);
    expect(await f.snapshot()).toBe(before);
  });
});

describe('BSF options', () => {
  it.each([
    [{ bsfDomain: 'not a domain' }, /bsfDomain/],
    [{ realm: 'has "quote"' }, /realm must be/],
    [{ sqnPolicy: { indBits: 17, delta: 1 } }, /indBits/],
    [{ sqnPolicy: { indBits: 5, delta: 0 } }, /delta/],
    [{ ind: 32 }, /ind must be 0..31/],
    [{ keyLifetimeSeconds: 0 }, /keyLifetimeSeconds must be positive/],
    [{ challengeLifetimeSeconds: Number.NaN }, /challengeLifetimeSeconds must be positive/],
  ])('refuses %#', (o, why) => {
    expect(() => createBsf({ store: f.store, se: f.se, kek: 'gba-kek', bsfDomain: 'bsf.example.com', ...o })).toThrow(
      why,
    );
  });

  it('a BSF with IND 7 puts it into every SQN', async () => {
    const bsf = createBsf({
      store: f.store,
      se: f.se,
      kek: 'gba-kek',
      bsfDomain: 'bsf.mef.example.com',
      ind: 7,
      prefix: 'gba-ind7',
    });
    const k = randomBytes(16);
    const op = randomBytes(16);
    await bsf.subscribers.provision({ impi: 'ind@ims.example.com', k, op });
    const r = await bsf.handleUb({
      method: 'GET',
      uri: '/',
      authorization: 'Digest username="ind@ims.example.com", nonce="", response=""',
    });
    const nonce = Buffer.from(/nonce="([^"]+)"/.exec(r.headers['www-authenticate']!)![1]!, 'base64');
    const out = new Usim({ k, op }).authenticate(nonce.subarray(0, 16), nonce.subarray(16, 32));
    expect(out.kind === 'success' && out.sqn).toBe(1 * 32 + 7);
  });
});

describe('lifetimes', () => {
  it('purgeExpired removes expired challenges and B-TIDs (and their IMPI index), keeps live ones', async () => {
    const k = randomBytes(16);
    const op = randomBytes(16);
    await f.bsf.subscribers.provision({ impi: 'p1@ims.example.com', k, op });
    const session = await bootstrap({ url: f.ubUrl, impi: 'p1@ims.example.com', usim: new Usim({ k, op }) });
    expect(session.expiresAt.getTime() - f.clock.now).toBeLessThanOrEqual(60_000);
    await httpRequest(new URL(f.ubUrl), {
      method: 'GET',
      headers: { authorization: 'Digest username="p1@ims.example.com", nonce="", response=""' },
    });
    expect(await f.bsf.purgeExpired()).toEqual({ challenges: 0, bootstraps: 0 });
    f.clock.now += 121_000;
    try {
      const purged = await f.bsf.purgeExpired();
      expect(purged.challenges).toBeGreaterThanOrEqual(1);
      expect(purged.bootstraps).toBeGreaterThanOrEqual(1);
      const rows = JSON.parse(await f.snapshot());
      expect(rows.challenges).toEqual([]);
      expect(rows.bootstraps).toEqual([]);
      expect(rows['btid-by-impi']).toEqual([]);
      expect(rows['nonce-by-impi']).toEqual([]);
    } finally {
      f.clock.now -= 121_000;
    }
  });
});

describe('failures below the BSF', () => {
  it('a closed store gives 500 without details', async () => {
    const g = await startBsf();
    await g.bsf.subscribers.provision({ impi: 'z@ims.example.com', k: randomBytes(16), op: randomBytes(16) });
    await g.store.close();
    const r = await httpRequest(new URL(g.ubUrl), {
      method: 'GET',
      headers: { authorization: 'Digest username="z@ims.example.com", nonce="", response=""' },
    });
    expect(r.status).toBe(500);
    expect(r.body.toString()).toBe('BSF internal error; try again later\n');
    await g.close().catch(() => undefined);
  });
});
