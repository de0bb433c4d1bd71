// The MEF as GBA BSF (TS-0003 8.3.2.3) in process: subscribers through the admin API, a device
// bootstrap over the Ub listener, and Ks_NAF over the Zn listener for a NAF authenticated by a shared
// credential or by a client certificate (openssl-made PKI); the NAF's Ks_NAF equals the device's.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { bootstrap, Usim, ZnClient } from '@m2msec/gba';
import { openApiPath } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GBA_ADMIN_OPERATIONS, gbaAdminRoutes } from '../src/index.js';
import { startTestMef, type TestMef, tmp } from './helpers.js';

const NAF = 'id-in.m2msec.org';
const BSF_DOMAIN = 'bsf.mef.m2msec.org';
const dir = tmp('m2msec-mef-gba-pki-');
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const pem = (name: string) => readFileSync(join(dir, name));

function pki() {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=Zn CA',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
  ]);
  const leaf = (name: string, san: string) => {
    openssl([
      'req',
      ...ec,
      '-subj',
      `/CN=${name}`,
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.csr`),
    ]);
    const ext = join(dir, `${name}.ext`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=${san}\\n' > '${ext}'`]);
    openssl([
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      join(dir, 'ca.crt'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      join(dir, `${name}.crt`),
    ]);
  };
  leaf('bsf', 'IP:127.0.0.1');
  leaf('naf', `DNS:${NAF}`);
}

const credential = randomBytes(24).toString('base64url');
let t: TestMef;

beforeAll(async () => {
  pki();
  t = await startTestMef({
    gba: {
      bsfDomain: BSF_DOMAIN,
      ub: { host: '127.0.0.1', port: 0 },
      zn: {
        host: '127.0.0.1',
        port: 0,
        cert: pem('bsf.crt'),
        key: pem('bsf.key'),
        nafCredentials: [{ nafFqdn: NAF, credential }],
        nafTrustAnchors: [pem('ca.crt')],
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const subscriber = (n: number) => ({
  impi: `device${n}@ims.m2msec.org`,
  k: randomBytes(16),
  opc: randomBytes(16),
});

describe('MEF as GBA BSF', () => {
  it('provisions subscribers through the admin API and never returns K / OPc', async () => {
    const s = subscriber(1);
    const body = {
      k: s.k.toString('hex'),
      opc: s.opc.toString('hex'),
      sqn: '000000000040',
      enroleeId: 'Cdevice1',
      targets: [NAF],
    };
    const put = await t.admin('PUT', `/admin/gba/subscribers/${s.impi}`, body);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // SQN 0x40 = SEQ 2 || IND 0 (5 IND bits).
    expect(put.body).toEqual({ impi: s.impi, seqHe: 2, amf: '0000', enroleeId: 'Cdevice1', enrolmentTargets: [NAF] });
    const got = await t.admin('GET', `/admin/gba/subscribers/${s.impi}`);
    expect(got.body).toEqual(put.body);
    const text = JSON.stringify(got.body) + JSON.stringify(put.body);
    for (const secret of [s.k, s.opc]) expect(text).not.toContain(secret.toString('hex'));

    const refused = async (b: Record<string, unknown>, message: RegExp) => {
      const r = await t.admin('PUT', '/admin/gba/subscribers/device9@ims.m2msec.org', { ...body, ...b });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
    };
    await refused({ k: 'abcd' }, /k must be 16 bytes/);
    await refused({ op: body.opc }, /exactly one of opc and op/);
    await refused({ enroleeId: undefined }, /enroleeId is required/);
    await refused({ targets: [] }, /targets/);
    await refused({ targets: ['not a name'] }, /Enrolment Target/);
    await refused({ sqn: 12 }, /sqn must be 6 bytes/);
    await refused({ seq: 1 }, /the GBA subscriber request has an unknown attribute 'seq'/);
    expect((await t.admin('GET', '/admin/gba/subscribers/device9@ims.m2msec.org')).status).toBe(404);

    const noToken = await fetch(`${t.mef.urls.admin}/admin/gba/subscribers/${s.impi}`);
    expect(noToken.status).toBe(401);
    expect((await t.admin('DELETE', `/admin/gba/subscribers/${s.impi}`)).status).toBe(200);
    expect((await t.admin('GET', `/admin/gba/subscribers/${s.impi}`)).status).toBe(404);
    expect((await t.admin('DELETE', `/admin/gba/subscribers/${s.impi}`)).status).toBe(404);
  });

  it('a device bootstraps over the Ub; the NAF gets the same Ks_NAF over the Zn (credential and certificate)', async () => {
    const s = subscriber(2);
    const put = await t.admin('PUT', `/admin/gba/subscribers/${s.impi}`, {
      k: s.k.toString('hex'),
      opc: s.opc.toString('hex'),
      enroleeId: 'Cdevice2',
      targets: [NAF],
    });
    expect(put.status).toBe(200);
    expect(t.mef.urls.gbaUb).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bsf$/);
    const session = await bootstrap({ url: t.mef.urls.gbaUb!, impi: s.impi, usim: new Usim({ k: s.k, opc: s.opc }) });
    expect(session.btid.endsWith(`@${BSF_DOMAIN}`)).toBe(true);
    const expected = session.deriveKsNaf(NAF);

    const ca = pem('ca.crt');
    const byCredential = new ZnClient({
      url: t.mef.urls.gbaZn!,
      nafFqdn: NAF,
      credential,
      agent: new https.Agent({ ca }),
    });
    const k1 = await byCredential.fetchKsNaf(session.btid);
    expect(k1.enroleeId).toBe('Cdevice2');
    expect(k1.impi).toBe(s.impi);
    expect(k1.ksNaf.equals(expected)).toBe(true);

    const byCertificate = new ZnClient({
      url: t.mef.urls.gbaZn!,
      nafFqdn: NAF,
      agent: new https.Agent({ ca, cert: pem('naf.crt'), key: pem('naf.key') }),
    });
    expect((await byCertificate.fetchKsNaf(session.btid)).ksNaf.equals(expected)).toBe(true);

    // A wrong credential, and the credential under another NAF FQDN (Basic nafFqdn:credential), get nothing.
    const wrong = new ZnClient({
      url: t.mef.urls.gbaZn!,
      nafFqdn: NAF,
      credential: `${credential}x`,
      agent: new https.Agent({ ca }),
    });
    await expect(wrong.fetchKsNaf(session.btid)).rejects.toMatchObject({ status: 401 });
    const other = new ZnClient({
      url: t.mef.urls.gbaZn!,
      nafFqdn: 'maf.m2msec.org',
      credential,
      agent: new https.Agent({ ca }),
    });
    await expect(other.fetchKsNaf(session.btid)).rejects.toMatchObject({ status: 401 });
    // Ks_NAF never reaches the admin API.
    const listed = JSON.stringify((await t.admin('GET', `/admin/gba/subscribers/${s.impi}`)).body);
    expect(listed).not.toContain(expected.toString('hex'));
  });

  it('refuses to start a Zn without any NAF authentication', async () => {
    await expect(
      startTestMef({
        gba: {
          bsfDomain: BSF_DOMAIN,
          ub: { host: '127.0.0.1', port: 0 },
          zn: { host: '127.0.0.1', port: 0, cert: pem('bsf.crt'), key: pem('bsf.key') },
        },
      }),
    ).rejects.toThrow(/nafCredentials or nafTrustAnchors/);
  });

  // The GBA operations join the MEF admin API's OpenAPI document when the MEF is a BSF (issue 19 item 7).
  it('publishes the GBA routes in the admin OpenAPI document, valid and with the schema that checks the body', async () => {
    const r = await t.admin('GET', '/admin/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    const served = gbaAdminRoutes({} as never, { token: 'x' })
      .filter((r) => r.method !== '*')
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/admin/gba/'))
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(served).toHaveLength(GBA_ADMIN_OPERATIONS.length);
    const put = GBA_ADMIN_OPERATIONS.find((o) => o.method === 'PUT')!;
    expect(doc.paths[openApiPath(put.path)].put.requestBody.content['application/json'].schema).toEqual(
      JSON.parse(JSON.stringify(put.body)),
    );
    // A MEF without GBA does not document them.
    const plain = await startTestMef();
    try {
      const paths = Object.keys((await plain.admin('GET', '/admin/openapi.json')).body.paths);
      expect(paths.some((p) => p.startsWith('/admin/gba/'))).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
