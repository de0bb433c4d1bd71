// The reference DAS as its own process, consulted over HTTP the way a Hosting CSE does (TS-0004 7.5.1.2.10).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dasRequestContent, parseDasResponse, TokenVerifier } from '@m2msec/authorization';
import { HttpRequestSender } from '@m2msec/binding-http';
import { freePort } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const config = {
  dasId: '/id-in/CDas',
  spId: 'm2msec.org',
  http: { host: '127.0.0.1', port: 0 },
  signingKey: privateKey.export({ format: 'jwk' }),
  alg: 'ES256',
  tokenIdDomain: 'das.m2msec.org',
  rules: [
    { name: 'no-mallory', originators: ['/id-in/Cmallory'], deny: true },
    {
      name: 'guest-policy',
      originators: ['/id-in/Cguest'],
      operations: [2],
      grant: { acop: 2, lifetimeMs: 60_000, as: 'policy' },
    },
    {
      name: 'meter-token',
      originators: ['//m2msec.org/id-in/Cmeter'],
      targets: ['/id-in/cnt*'],
      grant: { acop: 3, lifetimeMs: 60_000, as: 'token' },
    },
  ],
};

let das: ChildProcess;
let url = '';
let out = '';
let opsPort: number;
const sender = new HttpRequestSender({ timeoutMs: 5000 });
const consult = (dreq: object, pc?: unknown) =>
  sender.send(url, {
    op: 5,
    to: url,
    fr: '/id-in',
    rqi: 'q1',
    rvi: '3',
    pc: (pc ?? dasRequestContent(dreq as never)) as never,
  });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-das-'));
  writeFileSync(join(dir, 'das.json'), JSON.stringify(config), { mode: 0o600 }); // holds the signing key
  opsPort = await freePort();
  das = spawn(process.execPath, [main], {
    env: { ...process.env, M2MSEC_DAS_CONFIG: join(dir, 'das.json'), M2MSEC_OPS_PORT: String(opsPort) },
  });
  das.stdout!.on('data', (d) => (out += d));
  das.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 15_000;
  while (!/"event":"ready"/.test(out)) {
    if (das.exitCode !== null || Date.now() > deadline) throw new Error(`das did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = `${JSON.parse(out.split('\n').find((l) => l.includes('"ready"'))!).url}/das`;
});
afterAll(() => {
  das?.kill();
});

describe('reference DAS (TS-0003 7.3.2.2 step 3)', () => {
  it('grants dynamicACPInfo with a lifetime to a matching originator (sit=2)', async () => {
    const rsp = await consult({ or: '//m2msec.org/id-in/Cguest', op: 2, trt: 3, trid: '/id-in/cnt1' });
    expect(rsp.rsc).toBe(2000);
    expect((rsp.pc as any)['m2m:seci'].sit).toBe(2);
    const dres = parseDasResponse(rsp.pc);
    expect(dres.dai?.gp).toEqual({ acr: [{ acor: ['//m2msec.org/id-in/Cguest'], acop: 2 }] });
    expect(dres.dai?.pl).toMatch(/^\d{8}T\d{6}/);
    expect(dres.tkns).toBeUndefined();
  });

  it('issues a token a CSE trusting the DAS key verifies: holder, audience, permissions', async () => {
    const rsp = await consult({ or: '//m2msec.org/id-in/Cmeter', op: 3, trt: 3, trid: '/id-in/cnt9' });
    const dres = parseDasResponse(rsp.pc);
    expect(dres.tkns).toHaveLength(1);
    const verifier = new TokenVerifier({
      idContext: { spId: 'm2msec.org', cseId: '/id-in' },
      issuers: [{ id: '/id-in/CDas', keys: [publicKey], algorithms: ['ES256'] }],
    });
    const t = await verifier.verify(dres.tkns![0]!, { holder: '/id-in/Cmeter', now: new Date() });
    expect(t.claims.tkau).toEqual(['//m2msec.org/id-in']);
    expect(t.claims.tkps?.pm[0]?.ris).toEqual(['/id-in/cnt9']);
  });

  it('grants nothing to a denied or unknown originator, or off-target', async () => {
    for (const dreq of [
      { or: '/id-in/Cmallory', op: 2, trid: '/id-in/cnt1' },
      { or: '/id-in/Cstranger', op: 2, trid: '/id-in/cnt1' },
      { or: '/id-in/Cguest', op: 4, trid: '/id-in/cnt1' },
      { or: '/id-in/Cmeter', op: 2, trid: '/id-in/ae1' },
    ]) {
      const rsp = await consult(dreq);
      expect(rsp.rsc).toBe(2000);
      expect(parseDasResponse(rsp.pc)).toEqual({});
    }
    expect(out).toContain('"rule":"no-mallory"');
  });

  it('refuses a NOTIFY that is not a dynamic authorization request', async () => {
    const rsp = await consult({}, { 'm2m:sgn': { vrq: true } });
    expect(rsp.rsc).toBe(4000);
  });

  it('counts consultations by status on its operations listener (issue 19 item 3)', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(Number(/m2msec_requests_total\{op="5",rsc="2000",binding="http",app="das"\} (\d+)/.exec(metrics)?.[1])).toBe(
      6,
    );
    expect(metrics).toContain('m2msec_requests_total{op="5",rsc="4000",binding="http",app="das"} 1');
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
  });

  it('stops at start with a clear message on a bad configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-das-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...config, rules: [{ name: 'x', originators: ['Cx'] }] }), {
      mode: 0o600,
    });
    const r = spawnSync(process.execPath, [main], {
      env: { ...process.env, M2MSEC_DAS_CONFIG: join(dir, 'bad.json') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toContain('invalid configuration');
  });
});
