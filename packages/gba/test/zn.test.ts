// Zn over HTTPS: NAFs authenticated by client certificate or pre-shared credential fetch Ks_NAF; every
// refusal has its status and changes nothing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeOPc } from '@m2msec/crypto';
import type { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootstrapSession, bootstrap, Usim, ZnClient } from '../src/index.js';
import { httpRequest } from '../src/lib/http-request.js';
import { type BsfFixture, startBsf } from './helpers/fixture.js';
import { issue, makeCa, type Pem } from './helpers/pki.js';
import { hex, opensslMd5, osmoAucGen, run } from './helpers/tools.js';
import { NAF_CREDENTIAL, startZn } from './helpers/zn-server.js';

let f: BsfFixture;
let zn: Awaited<ReturnType<typeof startZn>>;
let dir: string;
let ca: TestCa;
let maf: Pem;
let stranger: Pem;
let foreign: Pem;
let session: BootstrapSession;
const sub = { impi: 'sensor-7@ims.example.com', k: randomBytes(16), op: randomBytes(16) };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gba-zn-'));
  ca = makeCa(dir, 'naf-ca');
  const server = issue(ca, 'bsf', 'IP:127.0.0.1,DNS:localhost', 'server');
  maf = issue(ca, 'maf', 'DNS:maf.example.com');
  stranger = issue(ca, 'stranger', 'DNS:stranger.example.com');
  foreign = issue(makeCa(dir, 'other-ca'), 'fake-maf', 'DNS:maf.example.com');
  f = await startBsf();
  zn = await startZn(f.bsf, server, ca.cert);
  await f.bsf.subscribers.provision({
    ...sub,
    enroleeId: 'C-sensor-7',
    enrolmentTargets: ['maf.example.com', 'in-cse.sp.example.com', 'stranger.example.com'],
  });
  session = await bootstrap({ url: f.ubUrl, impi: sub.impi, usim: new Usim({ k: sub.k, op: sub.op }) });
}, 60_000);
afterAll(async () => {
  zn.close();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

const agent = (client?: Pem) =>
  new https.Agent({ ca: [ca.cert], ...(client ? { key: client.key, cert: client.cert } : {}), keepAlive: false });

describe('Zn: Ks_NAF for the Enrolment Target', () => {
  it("a MAF with a client certificate gets Ks_NAF equal to the device's, with IMPI, Enrolee-ID and lifetime", async () => {
    const client = new ZnClient({ url: zn.httpsUrl, nafFqdn: 'maf.example.com', agent: agent(maf) });
    const key = await client.fetchKsNaf(session.btid);
    expect(key.ksNaf).toEqual(session.deriveKsNaf('maf.example.com'));
    expect(key.impi).toBe(sub.impi);
    expect(key.enroleeId).toBe('C-sensor-7');
    expect(key.keyExpiry.getTime()).toBe(Math.floor(session.expiresAt.getTime() / 1000) * 1000);
  });

  it("a CSE with a pre-shared NAF credential gets its own Ks_NAF (different from the MAF's)", async () => {
    const client = new ZnClient({
      url: zn.httpsUrl,
      nafFqdn: 'in-cse.sp.example.com',
      agent: agent(),
      credential: NAF_CREDENTIAL,
    });
    const key = await client.fetchKsNaf(session.btid);
    expect(key.ksNaf).toEqual(session.deriveKsNaf('in-cse.sp.example.com'));
    expect(key.ksNaf).not.toEqual(session.deriveKsNaf('maf.example.com'));
  });

  it('another Ua security protocol id gives another key, on both sides', async () => {
    const ua = Buffer.from('0100010035', 'hex');
    const client = new ZnClient({
      url: zn.httpsUrl,
      nafFqdn: 'maf.example.com',
      agent: agent(maf),
      uaSecurityProtocolId: ua,
    });
    const key = await client.fetchKsNaf(session.btid);
    expect(key.ksNaf).toEqual(session.deriveKsNaf('maf.example.com', ua));
    expect(key.ksNaf).not.toEqual(session.deriveKsNaf('maf.example.com'));
  });

  it('Ks_NAF recomputed independently: osmo-auc-gen CK/IK, then openssl HMAC-SHA-256 over the TS 33.220 B.2 string', async () => {
    const s = { impi: 'indep@ims.example.com', k: randomBytes(16), op: randomBytes(16) };
    await f.bsf.subscribers.provision({ ...s, enrolmentTargets: ['maf.example.com'] });
    const opc = computeOPc(s.k, s.op);
    // Ub by hand (osmo-auc-gen + openssl), as in ub.test.ts.
    const first = await httpRequest(new URL(f.ubUrl), {
      method: 'GET',
      headers: { authorization: `Digest username="${s.impi}", nonce="", uri="/bsf", response=""` },
    });
    const nonce = /nonce="([^"]+)"/.exec(String(first.headers['www-authenticate']))![1]!;
    const rand = Buffer.from(nonce, 'base64').subarray(0, 16);
    const osmo = osmoAucGen(['-k', hex(s.k), '-o', hex(opc), '-r', hex(rand), '-s', '32']);
    const ha1 = opensslMd5(
      Buffer.concat([Buffer.from(`${s.impi}:bsf.mef.example.com:`), Buffer.from(osmo.RES!, 'hex')]),
    );
    const response = opensslMd5(`${ha1}:${nonce}:00000001:cn:auth:${opensslMd5('GET:/bsf')}`);
    const ok = await httpRequest(new URL(f.ubUrl), {
      method: 'GET',
      headers: {
        authorization: `Digest username="${s.impi}", realm="bsf.mef.example.com", nonce="${nonce}", uri="/bsf", qop=auth, nc=00000001, cnonce="cn", response="${response}", algorithm=AKAv1-MD5`,
      },
    });
    expect(ok.status).toBe(200);
    const btid = /<btid>([^<]+)</.exec(ok.body.toString())![1]!;
    const key = await new ZnClient({ url: zn.httpsUrl, nafFqdn: 'maf.example.com', agent: agent(maf) }).fetchKsNaf(
      btid,
    );
    const len = (b: Buffer) => Buffer.from([b.length >> 8, b.length & 0xff]);
    const p = [
      Buffer.from('gba-me'),
      rand,
      Buffer.from(s.impi),
      Buffer.concat([Buffer.from('maf.example.com'), Buffer.from('01000100ae', 'hex')]),
    ];
    const sString = Buffer.concat([Buffer.from([0x01]), ...p.flatMap((x) => [x, len(x)])]);
    const ks = osmo.CK! + osmo.IK!;
    const mac = run('openssl', ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${ks}`, 'HMAC'], sString)
      .trim()
      .toLowerCase();
    expect(hex(key.ksNaf)).toBe(mac);
  });
});

describe('Zn refusals: precise status, nothing changed', () => {
  const post = async (o: {
    url?: string;
    client?: Pem;
    auth?: string;
    type?: string;
    body?: string;
    method?: string;
    path?: string;
  }) => {
    const before = await f.snapshot();
    const base = o.url ?? zn.httpsUrl;
    const r = await httpRequest(new URL(`${new URL(base).pathname}${o.path ?? '/ks-naf'}`, base), {
      method: o.method ?? 'POST',
      headers: { 'content-type': o.type ?? 'application/json', ...(o.auth ? { authorization: o.auth } : {}) },
      body: Buffer.from(o.body ?? JSON.stringify({ btid: session.btid, nafFqdn: 'maf.example.com' })),
      ...(base.startsWith('https') ? { agent: agent(o.client) } : {}),
    });
    expect(await f.snapshot()).toBe(before);
    return { status: r.status, text: r.body.toString(), headers: r.headers };
  };
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const cse = basic('in-cse.sp.example.com', NAF_CREDENTIAL);
  const cseBody = (o: object = {}) => JSON.stringify({ btid: session.btid, nafFqdn: 'in-cse.sp.example.com', ...o });

  it('no credential: 401 with a challenge', async () => {
    const r = await post({});
    expect([r.status, r.headers['www-authenticate']]).toEqual([401, 'Basic realm="zn", charset="UTF-8"']);
    expect(r.text).toMatch(/NAF authentication required/);
  });
  it('a wrong shared credential: 401', async () => {
    expect((await post({ auth: basic('in-cse.sp.example.com', 'x'.repeat(40)), body: cseBody() })).status).toBe(401);
  });
  it('a certificate from another CA: 401', async () => {
    expect((await post({ client: foreign })).status).toBe(401);
  });
  it('the right credential over plain HTTP: 401 (keys never leave over cleartext)', async () => {
    expect((await post({ url: zn.httpUrl, auth: cse, body: cseBody() })).status).toBe(401);
  });
  it("a NAF asking for another NAF's key: 403", async () => {
    const r = await post({ client: stranger });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/does not cover maf.example.com/);
  });
  it('a NAF that is not an Enrolment Target of the subscriber: 403', async () => {
    const k = randomBytes(16);
    const op = randomBytes(16);
    await f.bsf.subscribers.provision({ impi: 'other@ims.example.com', k, op, enrolmentTargets: ['maf.example.com'] });
    const s3 = await bootstrap({ url: f.ubUrl, impi: 'other@ims.example.com', usim: new Usim({ k, op }) });
    const r = await post({ auth: cse, body: cseBody({ btid: s3.btid }) });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/not an Enrolment Target/);
  });
  it('unknown B-TID and a B-TID of another BSF: 404', async () => {
    const unknown = `${randomBytes(16).toString('base64')}@bsf.mef.example.com`;
    expect(
      (await post({ client: maf, body: JSON.stringify({ btid: unknown, nafFqdn: 'maf.example.com' }) })).status,
    ).toBe(404);
    const other = session.btid.replace('@bsf.mef.example.com', '@bsf.elsewhere.example.com');
    expect(
      (await post({ client: maf, body: JSON.stringify({ btid: other, nafFqdn: 'maf.example.com' }) })).status,
    ).toBe(404);
  });
  it('an expired B-TID: 404', async () => {
    f.clock.now += 3601_000;
    try {
      const r = await post({ client: maf });
      expect(r.status).toBe(404);
      expect(r.text).toMatch(/unknown or expired B-TID/);
    } finally {
      f.clock.now -= 3601_000;
    }
  });
  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /JSON object/],
    [
      'an unknown field',
      JSON.stringify({ btid: 'x', nafFqdn: 'maf.example.com', ksNaf: 'give' }),
      /unknown field "ksNaf"/,
    ],
    [
      'a malformed B-TID',
      JSON.stringify({ btid: 'abc@bsf.mef.example.com', nafFqdn: 'maf.example.com' }),
      /B-TID must be/,
    ],
    [
      'no nafFqdn',
      JSON.stringify({ btid: 'AAAAAAAAAAAAAAAAAAAAAA==@bsf.mef.example.com' }),
      /nafFqdn must be a string/,
    ],
    [
      'a bad nafFqdn',
      JSON.stringify({ btid: 'AAAAAAAAAAAAAAAAAAAAAA==@bsf.mef.example.com', nafFqdn: 'maf_example' }),
      /invalid label/,
    ],
    [
      'a bad Ua id',
      JSON.stringify({
        btid: 'AAAAAAAAAAAAAAAAAAAAAA==@bsf.mef.example.com',
        nafFqdn: 'maf.example.com',
        uaSecurityProtocolId: '01',
      }),
      /10 hex digits/,
    ],
  ])('a body with %s: 400', async (_n, body, why) => {
    const r = await post({ client: maf, body });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(why);
  });
  it('a wrong media type: 415; GET: 405; a big body: 413; another path: 404', async () => {
    expect((await post({ client: maf, type: 'text/plain' })).status).toBe(415);
    const g = await post({ client: maf, method: 'GET', body: '' });
    expect([g.status, g.headers.allow]).toEqual([405, 'POST']);
    expect((await post({ client: maf, body: JSON.stringify({ btid: 'x'.repeat(5000) }) })).status).toBe(413);
    expect((await post({ client: maf, path: '/keys' })).status).toBe(404);
  });
  it("a deleted subscriber's B-TID: 403", async () => {
    const k = randomBytes(16);
    const op = randomBytes(16);
    await f.bsf.subscribers.provision({ impi: 'gone@ims.example.com', k, op, enrolmentTargets: ['maf.example.com'] });
    const s = await bootstrap({ url: f.ubUrl, impi: 'gone@ims.example.com', usim: new Usim({ k, op }) });
    await f.bsf.subscribers.delete('gone@ims.example.com');
    const r = await post({ client: maf, body: JSON.stringify({ btid: s.btid, nafFqdn: 'maf.example.com' }) });
    expect(r.status).toBe(403);
  });
  it('the Zn client refuses an http URL', () => {
    expect(() => new ZnClient({ url: zn.httpUrl, nafFqdn: 'maf.example.com' })).toThrow(/https/);
  });
});
