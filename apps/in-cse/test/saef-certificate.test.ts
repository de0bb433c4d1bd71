// Issue 5 "Must show" (certificates, impersonation, acaf): the IN-CSE process with a mutual-TLS
// listener; openssl makes the CA, certificates and CRL; curl is the independent client.
import { readFileSync, writeFileSync } from 'node:fs';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m2m } from './harness.js';
import { prepareSecureInCse, runPeer, type SecureInCse } from './saef-setup.js';

let s: SecureInCse;
let ca: TestCa;
let ae: Issued;
let expired: Issued;
let revoked: Issued;
let foreign: Issued;
let mn: Issued;

beforeAll(async () => {
  ca = new TestCa('in-cse');
  const other = new TestCa('other');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  mn = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org' });
  expired = ca.issue({
    san: 'URI:m2m://m2msec.org/id-in/Cold',
    start: new Date(Date.now() - 10 * 86400_000),
    end: new Date(Date.now() - 86400_000),
  });
  revoked = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Crevoked' });
  ca.revoke(revoked.certPath);
  foreign = other.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  const crl = ca.crl();
  const prepared = await prepareSecureInCse(
    {},
    {
      registration: {
        appRules: [
          { name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] },
          {
            name: 'ae-certificates',
            applicableCredIDs: ['33-/id-in/Cabc'],
            allowedAppIDs: ['*'],
            allowedAEs: ['Cabc'],
          },
        ],
      },
    },
  );
  // The certificate listener's port is chosen by prepareSecureInCse; add its section to the config.
  const config = JSON.parse(readFileSync(prepared.configPath, 'utf8'));
  config.security.certificate = {
    host: '127.0.0.1',
    port: prepared.certPort,
    cert: server.certPath,
    key: server.keyPath,
    trustAnchors: [ca.certPath],
    crls: [crl.path],
    tls13: true,
  };
  writeFileSync(prepared.configPath, JSON.stringify(config));
  s = await prepared.start();
});

afterAll(async () => s?.cse.stop());

/** curl as Entity A: SNI id-in.m2msec.org resolved to the local listener, the CA as trust anchor. */
async function curl(
  client: Issued | undefined,
  method: string,
  path: string,
  from: string,
  o: { ty?: number; body?: unknown } = {},
) {
  const host = 'id-in.m2msec.org';
  const args = [
    '-sS',
    '-i',
    '--max-time',
    '10',
    '--resolve',
    `${host}:${s.certPort}:127.0.0.1`,
    '--cacert',
    ca.certPath,
    ...(client ? ['--cert', client.certPath, '--key', client.keyPath] : []),
    '-X',
    method,
    `https://${host}:${s.certPort}${path}`,
    '-H',
    `X-M2M-Origin: ${from}`,
    '-H',
    `X-M2M-RI: c${Math.random().toString(36).slice(2)}`,
    '-H',
    'X-M2M-RVI: 3',
    '-H',
    'Accept: application/json',
    ...(o.body !== undefined
      ? ['-H', `Content-Type: application/json${o.ty ? `;ty=${o.ty}` : ''}`, '--data-binary', JSON.stringify(o.body)]
      : []),
  ];
  const r = await runPeer('curl', args);
  const rsc = Number(/x-m2m-rsc: *(\d+)/i.exec(r.stdout)?.[1] ?? 0);
  const bodyText = r.stdout.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  let body: any;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = bodyText;
  }
  return { code: r.code, rsc, body, stderr: r.stderr };
}

describe('Certificate-Based SAEF listener', () => {
  it('curl --cert with an AE-ID certificate registers that AE', async () => {
    const r = await curl(ae, 'POST', '/cse-in', 'Cabc', {
      ty: 2,
      body: { 'm2m:ae': { rn: 'cert-ae', api: 'Ncert', rr: false, srv: ['3'] } },
    });
    expect(r.rsc, JSON.stringify(r.body) + r.stderr).toBe(2001);
    expect(r.body['m2m:ae']).toMatchObject({ aei: 'Cabc', rn: 'cert-ae' });
  });

  it("refuses an expired, a revoked, another CA's and a missing client certificate", async () => {
    for (const [name, c] of [
      ['expired', expired],
      ['revoked', revoked],
      ['other CA', foreign],
      ['none', undefined],
    ] as const) {
      const r = await curl(c, 'GET', '/cse-in', 'Cabc');
      expect(r.code, name).not.toBe(0);
      expect(r.rsc, name).toBe(0);
    }
  });

  it('an AE authenticated as Cabc sending X-M2M-Origin: Cxyz gets 4106', async () => {
    const r = await curl(ae, 'GET', '/cse-in/cert-ae', 'Cxyz');
    expect(r.rsc).toBe(4106);
    const own = await curl(ae, 'GET', '/cse-in/cert-ae', 'Cabc');
    expect(own.rsc).toBe(2000);
  });

  it('a CSE-ID certificate creating a <remoteCSE> for another CSE-ID gets 4107', async () => {
    const wrong = await curl(mn, 'POST', '/cse-in', '/id-other', {
      ty: 16,
      body: { 'm2m:csr': { csi: '/id-other', cb: '/id-other/cse-other', rr: false, srv: ['3'] } },
    });
    expect(wrong.rsc).toBe(4107);
  });
});

describe('outside an association', () => {
  it('a CSE-ID originator gets 4107; HTTP Basic / Bearer credentials are no way around it', async () => {
    expect((await m2m(s.cse.url, 'GET', '/cse-in', { from: '/id-mn' })).rsc).toBe(4107);
    const basic = await m2m(s.cse.url, 'GET', '/cse-in', {
      from: '/id-mn',
      headers: { Authorization: `Basic ${Buffer.from('id-mn:secret').toString('base64')}` },
    });
    // The HTTP binding does not accept the Basic scheme at all (TS-0009 6.4: oneM2M tokens only).
    expect(basic.rsc, JSON.stringify(basic.body)).toBe(4000);
    const bearer = await m2m(s.cse.url, 'GET', '/cse-in', {
      from: '//m2msec.org/id-mn',
      headers: { Authorization: 'Bearer abc' },
    });
    expect(bearer.rsc, JSON.stringify(bearer.body)).toBe(4000);
  });
});

describe('rq_authn reaches acaf', () => {
  it('an ACP rule with acaf=true permits the AE over TLS and denies the same AE-ID over plain HTTP', async () => {
    const acp = await curl(ae, 'POST', '/cse-in/cert-ae', 'Cabc', {
      ty: 1,
      body: {
        'm2m:acp': {
          rn: 'tls-only',
          pv: { acr: [{ acor: ['Cabc'], acop: 63, acaf: true }] },
          pvs: { acr: [{ acor: ['Cabc'], acop: 63 }] },
        },
      },
    });
    expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
    const cnt = await curl(ae, 'POST', '/cse-in/cert-ae', 'Cabc', {
      ty: 3,
      body: { 'm2m:cnt': { rn: 'secret', acpi: [acp.body['m2m:acp'].ri] } },
    });
    expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2001);
    expect((await curl(ae, 'GET', '/cse-in/cert-ae/secret', 'Cabc')).rsc).toBe(2000);
    const plain = await m2m(s.cse.url, 'GET', '/cse-in/cert-ae/secret', { from: 'Cabc' });
    expect(plain.rsc).toBe(4103);
  });
});
