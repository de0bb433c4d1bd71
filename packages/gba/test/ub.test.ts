// The BSF on a real HTTP listener: an independent device (osmo-auc-gen for AKA, openssl for MD5) and the
// package's own UE client, wrong RES, replayed nonces, stale SQN with AUTS, malformed requests.
import { randomBytes } from 'node:crypto';
import { computeOPc } from '@m2msec/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootstrapSession, bootstrap, GbaError, parseDigestHeader, Usim } from '../src/index.js';
import { httpRequest } from '../src/lib/http-request.js';
import { composeSqn } from '../src/lib/sqn.js';
import { type BsfFixture, startBsf } from './helpers/fixture.js';
import { hex, opensslMd5, osmoAucGen } from './helpers/tools.js';

const REALM = 'bsf.mef.example.com';
let f: BsfFixture;
let seq = 0;
const subscriber = () => {
  seq++;
  return { impi: `device${seq}@ims.example.com`, k: randomBytes(16), op: randomBytes(16) };
};

beforeAll(async () => {
  f = await startBsf();
});
afterAll(async () => {
  await f.close();
});

const get = (authorization?: string, method = 'GET', path = '/bsf') =>
  httpRequest(new URL(path, f.ubUrl), { method, headers: authorization === undefined ? {} : { authorization } });

const initial = (impi: string) => `Digest username="${impi}", realm="${REALM}", nonce="", uri="/bsf", response=""`;

function answerHeader(o: {
  impi: string;
  nonce: string;
  response: string;
  cnonce: string;
  qop?: string;
  extra?: string;
}) {
  return (
    `Digest username="${o.impi}", realm="${REALM}", nonce="${o.nonce}", uri="/bsf", qop=${o.qop ?? 'auth'}, ` +
    `nc=00000001, cnonce="${o.cnonce}", response="${o.response}", algorithm=AKAv1-MD5${o.extra ?? ''}`
  );
}

/** The request-digest computed with openssl only (HA1 over the binary password). */
function opensslResponse(impi: string, password: Buffer, nonce: string, cnonce: string, qop: 'auth' | 'auth-int') {
  const ha1 = opensslMd5(Buffer.concat([Buffer.from(`${impi}:${REALM}:`), password]));
  const ha2 = qop === 'auth' ? opensslMd5('GET:/bsf') : opensslMd5(`GET:/bsf:${opensslMd5('')}`);
  return opensslMd5(`${ha1}:${nonce}:00000001:${cnonce}:${qop}:${ha2}`);
}

async function challenge(impi: string) {
  const r = await get(initial(impi));
  expect(r.status).toBe(401);
  const p = parseDigestHeader(String(r.headers['www-authenticate']), 'challenge');
  const nonce = p.get('nonce')!;
  const bytes = Buffer.from(nonce, 'base64');
  return { nonce, rand: bytes.subarray(0, 16), autn: bytes.subarray(16, 32), params: p };
}

describe('Ub: HTTP Digest AKA over real HTTP', () => {
  it.each(['auth', 'auth-int'] as const)(
    'an independent device (osmo-auc-gen + openssl, qop=%s) bootstraps and gets a B-TID',
    async (qop) => {
      const s = subscriber();
      const opc = computeOPc(s.k, s.op);
      await f.bsf.subscribers.provision({ ...s, enrolmentTargets: ['maf.example.com'] });
      const c = await challenge(s.impi);
      expect(c.params.get('algorithm')).toBe('AKAv1-MD5');
      expect(c.params.get('realm')).toBe(REALM);
      expect(c.params.get('qop')).toBe('auth-int,auth');
      // The BSF used SEQ 1, IND 0: SQN = 32. osmo-auc-gen computes the same AUTN and the same RFC 3310 nonce.
      const osmo = osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32', '-f', '0000']);
      expect(hex(c.autn)).toBe(osmo.AUTN);
      expect(c.nonce).toBe(osmo['IMS nonce']);
      const res = Buffer.from(osmo.RES!, 'hex');
      const cnonce = randomBytes(8).toString('hex');
      const r = await get(
        answerHeader({
          impi: s.impi,
          nonce: c.nonce,
          cnonce,
          qop,
          response: opensslResponse(s.impi, res, c.nonce, cnonce, qop),
        }),
      );
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.3gpp.bsf+xml');
      expect(r.headers['cache-control']).toBe('no-store');
      const body = r.body.toString();
      const btid = /<btid>([^<]+)<\/btid>/.exec(body)![1]!;
      expect(btid).toBe(`${c.rand.toString('base64')}@${REALM}`);
      const lifetime = Date.parse(/<lifetime>([^<]+)<\/lifetime>/.exec(body)![1]!);
      expect(Math.abs(lifetime - (f.clock.now + 3600_000))).toBeLessThan(1000);
      // rspauth recomputed with openssl: A2 = ":" uri [":" MD5(body)].
      const info = parseDigestHeader(`Digest ${r.headers['authentication-info']}`, 'info');
      const ha1 = opensslMd5(Buffer.concat([Buffer.from(`${s.impi}:${REALM}:`), res]));
      const ha2 = qop === 'auth' ? opensslMd5(':/bsf') : opensslMd5(`:/bsf:${opensslMd5(r.body)}`);
      expect(info.get('rspauth')).toBe(opensslMd5(`${ha1}:${c.nonce}:00000001:${cnonce}:${qop}:${ha2}`));
      // Ks = CK || IK is stored sealed: neither CK, IK, K nor OPc appears in any row, in hex or base64.
      const rows = await f.snapshot();
      for (const secret of [Buffer.from(osmo.CK!, 'hex'), Buffer.from(osmo.IK!, 'hex'), s.k, opc, res]) {
        expect(rows).not.toContain(secret.toString('hex'));
        expect(rows).not.toContain(secret.toString('base64').slice(0, 12));
      }
      expect((await f.bsf.subscribers.get(s.impi))?.seqHe).toBe(1);
    },
  );

  it('the package UE client bootstraps and derives the same Ks_NAF as the BSF would', async () => {
    const s = subscriber();
    await f.bsf.subscribers.provision(s);
    const usim = new Usim({ k: s.k, op: s.op });
    const session = await bootstrap({ url: f.ubUrl, impi: s.impi, usim });
    expect(session).toBeInstanceOf(BootstrapSession);
    expect(session.btid).toMatch(/^[A-Za-z0-9+/]{22}==@bsf\.mef\.example\.com$/);
    expect(session.deriveKsNaf('MAF.example.com')).toEqual(session.deriveKsNaf('maf.example.com'));
    // Serialising the session shows only its public facts, never Ks or a derived key (the B-TID is
    // random base64 and may contain any letters, so check fields and key bytes, not letters).
    const serialised = JSON.stringify(session);
    expect(Object.keys(JSON.parse(serialised)).sort()).toEqual(['btid', 'expiresAt', 'impi']);
    const ksNaf = session.deriveKsNaf('maf.example.com');
    for (const form of [ksNaf.toString('hex'), ksNaf.toString('base64')]) expect(serialised).not.toContain(form);
    // A second run replaces the first B-TID (TS 33.220 4.5.2).
    const again = await bootstrap({ url: f.ubUrl, impi: s.impi, usim, qop: 'auth' });
    const rows = JSON.parse(await f.snapshot()) as Record<string, { key: string }[]>;
    expect(rows.bootstraps!.map((r) => r.key)).toContain(again.btid);
    expect(rows.bootstraps!.map((r) => r.key)).not.toContain(session.btid);
  });

  it('a wrong RES is refused with 403 and withdraws the nonce; the right answer afterwards is re-challenged', async () => {
    const s = subscriber();
    const opc = computeOPc(s.k, s.op);
    await f.bsf.subscribers.provision(s);
    const c = await challenge(s.impi);
    const res = Buffer.from(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32']).RES!, 'hex');
    const wrong = Buffer.from(res);
    wrong[0]! ^= 1;
    const cnonce = 'c0ffee';
    const bad = await get(
      answerHeader({
        impi: s.impi,
        nonce: c.nonce,
        cnonce,
        response: opensslResponse(s.impi, wrong, c.nonce, cnonce, 'auth'),
      }),
    );
    expect(bad.status).toBe(403);
    expect(bad.body.toString()).toMatch(/authentication failed/);
    expect(bad.body.toString()).not.toContain(hex(res));
    const late = await get(
      answerHeader({
        impi: s.impi,
        nonce: c.nonce,
        cnonce,
        response: opensslResponse(s.impi, res, c.nonce, cnonce, 'auth'),
      }),
    );
    expect(late.status).toBe(401);
    expect(late.body.toString()).toMatch(/nonce unknown, expired or already used/);
    expect(late.headers['www-authenticate']).toMatch(/nonce="/);
    expect(
      JSON.parse(await f.snapshot()).bootstraps.some((b: { value: { impi: string } }) => b.value.impi === s.impi),
    ).toBe(false);
  });

  it('a replayed nonce / response after success is refused and creates no second B-TID', async () => {
    const s = subscriber();
    const opc = computeOPc(s.k, s.op);
    await f.bsf.subscribers.provision(s);
    const c = await challenge(s.impi);
    const res = Buffer.from(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32']).RES!, 'hex');
    const header = answerHeader({
      impi: s.impi,
      nonce: c.nonce,
      cnonce: 'abc',
      response: opensslResponse(s.impi, res, c.nonce, 'abc', 'auth'),
    });
    expect((await get(header)).status).toBe(200);
    const before = JSON.parse(await f.snapshot()).bootstraps;
    const replay = await get(header);
    expect(replay.status).toBe(401);
    expect(replay.body.toString()).toMatch(/already used/);
    expect(JSON.parse(await f.snapshot()).bootstraps).toEqual(before);
  });

  it('two concurrent answers to one nonce: exactly one B-TID', async () => {
    const s = subscriber();
    const opc = computeOPc(s.k, s.op);
    await f.bsf.subscribers.provision(s);
    const c = await challenge(s.impi);
    const res = Buffer.from(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32']).RES!, 'hex');
    const header = answerHeader({
      impi: s.impi,
      nonce: c.nonce,
      cnonce: 'x1',
      response: opensslResponse(s.impi, res, c.nonce, 'x1', 'auth'),
    });
    const results = await Promise.all([get(header), get(header), get(header)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('a stale SQN: the UE sends AUTS, the BSF verifies MAC-S, resynchronises and the bootstrap succeeds', async () => {
    const s = subscriber();
    await f.bsf.subscribers.provision({ ...s, seqHe: 10 });
    // The USIM already accepted SEQ 500 in the BSF's IND slot 0 (an HSS restored from an old backup).
    const usim = new Usim({ k: s.k, op: s.op, state: { seqMs: [500, ...new Array(31).fill(0)] } });
    const c = await challenge(s.impi);
    const out = usim.authenticate(c.rand, c.autn);
    expect(out.kind).toBe('sync-failure');
    if (out.kind !== 'sync-failure') return;
    // osmo-auc-gen agrees on SQN_MS from this AUTS.
    const opc = computeOPc(s.k, s.op);
    expect(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-A', hex(out.auts)])['SQN.MS']).toBe(
      String(composeSqn(500, 0, 5)),
    );
    const cnonce = 'r1';
    const r = await get(
      answerHeader({
        impi: s.impi,
        nonce: c.nonce,
        cnonce,
        response: opensslResponse(s.impi, Buffer.alloc(0), c.nonce, cnonce, 'auth'),
        extra: `, auts="${out.auts.toString('base64')}"`,
      }),
    );
    expect(r.status).toBe(401);
    expect(r.body.toString()).toMatch(/resynchronised/);
    expect((await f.bsf.subscribers.get(s.impi))?.seqHe).toBe(501);
    const next = parseDigestHeader(String(r.headers['www-authenticate']), 'c').get('nonce')!;
    const bytes = Buffer.from(next, 'base64');
    const ok = usim.authenticate(bytes.subarray(0, 16), bytes.subarray(16, 32));
    expect(ok.kind === 'success' && ok.sqn).toBe(composeSqn(501, 0, 5));
    // And the UE client does the whole dance by itself.
    const s2 = subscriber();
    await f.bsf.subscribers.provision({ ...s2, seqHe: 3 });
    const usim2 = new Usim({ k: s2.k, op: s2.op, state: { seqMs: [9000, ...new Array(31).fill(0)] } });
    const session = await bootstrap({ url: f.ubUrl, impi: s2.impi, usim: usim2 });
    expect(session.btid).toContain('@bsf.mef.example.com');
    expect((await f.bsf.subscribers.get(s2.impi))?.seqHe).toBe(9001);
  });

  it('an AUTS with a wrong MAC-S is refused with 403 and leaves SEQ_HE alone', async () => {
    const s = subscriber();
    await f.bsf.subscribers.provision({ ...s, seqHe: 10 });
    const usim = new Usim({ k: s.k, op: s.op, state: { seqMs: [500, ...new Array(31).fill(0)] } });
    const c = await challenge(s.impi);
    const out = usim.authenticate(c.rand, c.autn);
    if (out.kind !== 'sync-failure') throw new Error('expected a sync failure');
    out.auts[13]! ^= 1;
    const r = await get(
      answerHeader({
        impi: s.impi,
        nonce: c.nonce,
        cnonce: 'q',
        response: opensslResponse(s.impi, Buffer.alloc(0), c.nonce, 'q', 'auth'),
        extra: `, auts="${out.auts.toString('base64')}"`,
      }),
    );
    expect(r.status).toBe(403);
    expect(r.body.toString()).toMatch(/AUTS verification failed/);
    expect((await f.bsf.subscribers.get(s.impi))?.seqHe).toBe(11);
  });

  it('the UE refuses a BSF that does not know K (MAC failure) and sends no answer', async () => {
    const s = subscriber();
    await f.bsf.subscribers.provision(s);
    const usim = new Usim({ k: randomBytes(16), op: s.op });
    await expect(bootstrap({ url: f.ubUrl, impi: s.impi, usim })).rejects.toMatchObject({
      code: 'ERR_BSF_AUTHENTICATION',
    });
  });

  it('a new challenge withdraws the open one: one open challenge per IMPI', async () => {
    const s = subscriber();
    const opc = computeOPc(s.k, s.op);
    await f.bsf.subscribers.provision(s);
    const first = await challenge(s.impi);
    await challenge(s.impi);
    await challenge(s.impi);
    const rows = JSON.parse(await f.snapshot()) as Record<string, { key: string; value: { impi?: string } }[]>;
    expect(rows.challenges!.filter((c) => c.value.impi === s.impi)).toHaveLength(1);
    const res = Buffer.from(
      osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(first.rand), '-s', '32']).RES!,
      'hex',
    );
    const r = await get(
      answerHeader({
        impi: s.impi,
        nonce: first.nonce,
        cnonce: 'w',
        response: opensslResponse(s.impi, res, first.nonce, 'w', 'auth'),
      }),
    );
    expect(r.status).toBe(401);
  });

  it('an expired challenge is not verified: a new challenge comes back', async () => {
    const s = subscriber();
    const opc = computeOPc(s.k, s.op);
    await f.bsf.subscribers.provision(s);
    const c = await challenge(s.impi);
    const res = Buffer.from(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32']).RES!, 'hex');
    f.clock.now += 121_000;
    try {
      const r = await get(
        answerHeader({
          impi: s.impi,
          nonce: c.nonce,
          cnonce: 'e',
          response: opensslResponse(s.impi, res, c.nonce, 'e', 'auth'),
        }),
      );
      expect(r.status).toBe(401);
      expect(r.body.toString()).toMatch(/expired/);
    } finally {
      f.clock.now -= 121_000;
    }
  });
});

describe('Ub: malformed requests get a precise status and change nothing', () => {
  let s: ReturnType<typeof subscriber>;
  let c: Awaited<ReturnType<typeof challenge>>;
  let good: { impi: string; nonce: string; cnonce: string; response: string };
  beforeAll(async () => {
    s = subscriber();
    await f.bsf.subscribers.provision(s);
    c = await challenge(s.impi);
    const opc = computeOPc(s.k, s.op);
    const res = Buffer.from(osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(c.rand), '-s', '32']).RES!, 'hex');
    good = { impi: s.impi, nonce: c.nonce, cnonce: 'm', response: opensslResponse(s.impi, res, c.nonce, 'm', 'auth') };
  });
  const cases: [string, () => [string | undefined, string?], number, RegExp][] = [
    ['POST', () => [initial(s.impi), 'POST'], 405, /GET only/],
    ['no Authorization', () => [undefined], 400, /Authorization: Digest username/],
    ['Basic scheme', () => ['Basic dXNlcjpwYXNz'], 400, /scheme must be Digest/],
    ['no username', () => ['Digest realm="x", nonce="", response=""'], 400, /IMPI must be/],
    ['username with a space', () => ['Digest username="a b@x", nonce="", response=""'], 400, /IMPI must be/],
    [
      'uri of another resource',
      () => [initial(s.impi).replace('uri="/bsf"', 'uri="/other"')],
      400,
      /does not match the request target/,
    ],
    [
      'nonce without response',
      () => [answerHeader({ ...good, response: '' })],
      400,
      /both be present or both be empty/,
    ],
    ['no algorithm', () => [answerHeader(good).replace(', algorithm=AKAv1-MD5', '')], 400, /AKAv1-MD5/],
    ['algorithm MD5', () => [answerHeader(good).replace('AKAv1-MD5', 'MD5')], 400, /AKAv1-MD5/],
    [
      'wrong realm',
      () => [answerHeader(good).replace(`realm="${REALM}"`, 'realm="evil.example.com"')],
      400,
      /realm must be/,
    ],
    ['qop auth-conf', () => [answerHeader({ ...good, qop: 'auth-conf' })], 400, /qop must be/],
    ['nc 00000002', () => [answerHeader(good).replace('nc=00000001', 'nc=00000002')], 400, /nc must be 00000001/],
    ['nc not hex', () => [answerHeader(good).replace('nc=00000001', 'nc=0000000z')], 400, /8 hex digits/],
    ['no cnonce', () => [answerHeader(good).replace(', cnonce="m"', '')], 400, /cnonce/],
    [
      'response upper-case',
      () => [answerHeader({ ...good, response: good.response.toUpperCase() })],
      400,
      /lower-case hex/,
    ],
    ['nonce not base64', () => [answerHeader({ ...good, nonce: '!!!!' })], 400, /nonce is not base64/],
    ['nonce too short', () => [answerHeader({ ...good, nonce: Buffer.alloc(31).toString('base64') })], 400, /32 bytes/],
    [
      'auts wrong length',
      () => [answerHeader({ ...good, extra: `, auts="${Buffer.alloc(13).toString('base64')}"` })],
      400,
      /auts must decode to 14 bytes/,
    ],
    ['auts not base64', () => [answerHeader({ ...good, extra: ', auts="zz"' })], 400, /auts is not base64/],
    ['duplicate parameter', () => [`${answerHeader(good)}, nonce="x"`], 400, /appears twice/],
    ['unknown subscriber', () => [initial('nobody@ims.example.com')], 403, /not authorised/],
    [
      'unknown subscriber answering',
      () => [answerHeader({ ...good, impi: 'nobody@ims.example.com' })],
      403,
      /not authorised/,
    ],
  ];
  it.each(cases)('%s', async (_name, make, status, message) => {
    const before = await f.snapshot();
    const [authorization, method] = make();
    const r = await get(authorization, method ?? 'GET');
    expect(r.status).toBe(status);
    expect(r.body.toString()).toMatch(message);
    if (status === 405) expect(r.headers.allow).toBe('GET');
    expect(await f.snapshot()).toBe(before);
  });

  it('after all of them the outstanding challenge still answers with 200', async () => {
    expect((await get(answerHeader(good))).status).toBe(200);
  });

  it('GbaError carries status and code', () => {
    const e = new GbaError(400, 'ERR_MALFORMED', 'x');
    expect([e.status, e.code, e.name]).toEqual([400, 'ERR_MALFORMED', 'GbaError']);
  });
});
