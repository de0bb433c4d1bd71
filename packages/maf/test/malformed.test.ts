// Every MAF endpoint refuses malformed input with a precise oneM2M status and message, and leaves no
// partial state: the whole store (every MAF collection) is identical before and after each refusal.
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { pskClientOptions } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf, TOKEN } from './helpers.js';

const A = '//m2msec.org/id-in/Cae1';
const B = '//m2msec.org/id-in';
let t: TestMaf;
let a: Awaited<ReturnType<TestMaf['client']>>;
let b: Awaited<ReturnType<TestMaf['client']>>;
let regId: string;
let rid: string;

beforeAll(async () => {
  t = await startTestMaf();
  a = await t.client(A);
  b = await t.client(B);
  regId = (await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) })).mafClientRegID;
  await b.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
  rid = (await a.registerKey({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60), suid: 32, targetIDs: [B] }))
    .relativeKeyID;
  await t.admin('PUT', '/admin/trust-anchors/ta1', { key: randomBytes(32).toString('hex'), clients: { [A]: 'Cae1' } });
});
afterAll(() => t?.close());

async function snapshot(): Promise<string> {
  const s = t.maf.store;
  const all = await Promise.all(
    [
      s.credentials,
      s.clientRegs,
      s.clientRegIndex,
      s.keyRegs,
      s.trustAnchors,
      s.trustAnchorGrants,
      s.trustAnchorState,
    ].map((c) => (c as { list(): Promise<unknown[]> }).list()),
  );
  return JSON.stringify(all);
}

/** One request on A's MAF Handshake with an arbitrary body. */
function mmaf(
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ rsc: number; status: number; dbg: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.maf.urls.psk), {
      ...pskClientOptions({ identity: a.kmId, key: a.km, servername: MAF_FQDN }),
      method,
      agent: false,
      headers: body === undefined ? {} : { 'content-type': contentType },
    });
    req.on('response', (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () =>
        resolve({ rsc: Number(res.headers['x-m2m-rsc']), status: res.statusCode!, dbg: JSON.parse(s)['m2m:dbg'] }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const reg = (over: Record<string, unknown>) =>
  JSON.stringify({ mafFQDN: MAF_FQDN, adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5), ...over });
const key = (over: Record<string, unknown>) =>
  JSON.stringify({
    mafFQDN: MAF_FQDN,
    adminFQDN: ADMIN_FQDN,
    expirationTime: inMinutes(5),
    suid: 32,
    targetIDs: [B],
    ...over,
  });
const drop = (k: string) => {
  const o = JSON.parse(key({}));
  delete o[k];
  return JSON.stringify(o);
};

type Case = [
  name: string,
  method: string,
  path: () => string,
  body: string | undefined,
  rsc: number,
  message: RegExp,
  ct?: string,
];

const cases: Case[] = [
  // MAF Client Registration
  ['registration: not JSON', 'POST', () => '/maf/mafClientReg', '{"mafFQDN":', 4000, /not valid JSON/],
  [
    'registration: wrong media type',
    'POST',
    () => '/maf/mafClientReg',
    'mafFQDN=x',
    4000,
    /Content-Type: application\/json/,
    'text/plain',
  ],
  ['registration: array body', 'POST', () => '/maf/mafClientReg', '[]', 4000, /must be a JSON object/],
  [
    'registration: unknown attribute',
    'POST',
    () => '/maf/mafClientReg',
    reg({ kmID: 'x' }),
    4000,
    /unknown attribute 'kmID'/,
  ],
  [
    'registration: other MAF',
    'POST',
    () => '/maf/mafClientReg',
    reg({ mafFQDN: 'maf.other.org' }),
    4000,
    /mafFQDN must name this MAF/,
  ],
  [
    'registration: adminFQDN missing',
    'POST',
    () => '/maf/mafClientReg',
    reg({ adminFQDN: undefined }),
    4000,
    /adminFQDN must be/,
  ],
  [
    'registration: adminFQDN not a name',
    'POST',
    () => '/maf/mafClientReg',
    reg({ adminFQDN: 'a b' }),
    4000,
    /adminFQDN must be/,
  ],
  [
    'registration: past expirationTime',
    'POST',
    () => '/maf/mafClientReg',
    reg({ expirationTime: '2001-01-01T00:00:00Z' }),
    4000,
    /in the future/,
  ],
  [
    'registration: expirationTime garbage',
    'POST',
    () => '/maf/mafClientReg',
    reg({ expirationTime: 'soon' }),
    4000,
    /must be a time/,
  ],
  ['registration: labels not strings', 'POST', () => '/maf/mafClientReg', reg({ labels: [1] }), 4000, /labels must be/],
  [
    'registration: notificationURI not http',
    'POST',
    () => '/maf/mafClientReg',
    reg({ notificationURI: 'file:///etc/passwd' }),
    4000,
    /notificationURI/,
  ],
  [
    'registration: notificationURI with credentials',
    'POST',
    () => '/maf/mafClientReg',
    reg({ notificationURI: 'http://u:p@h/' }),
    4000,
    /without credentials/,
  ],
  [
    'update: malformed ID',
    'PUT',
    () => '/maf/mafClientReg/nope',
    JSON.stringify({ mafFQDN: MAF_FQDN, labels: ['x'] }),
    4000,
    /UUID/,
  ],
  [
    'update: unknown ID',
    'PUT',
    () => '/maf/mafClientReg/00000000-0000-4000-8000-000000000000',
    JSON.stringify({ mafFQDN: MAF_FQDN, labels: ['x'] }),
    4004,
    /no MAF Client Registration/,
  ],
  [
    'update: nothing to update',
    'PUT',
    () => `/maf/mafClientReg/${regId}`,
    JSON.stringify({ mafFQDN: MAF_FQDN }),
    4000,
    /an update carries/,
  ],
  [
    'update: adminFQDN is not updatable',
    'PUT',
    () => `/maf/mafClientReg/${regId}`,
    JSON.stringify({ mafFQDN: MAF_FQDN, adminFQDN: 'x.org' }),
    4000,
    /unknown attribute 'adminFQDN'/,
  ],
  [
    'update: past expirationTime',
    'PUT',
    () => `/maf/mafClientReg/${regId}`,
    JSON.stringify({ mafFQDN: MAF_FQDN, expirationTime: 1 }),
    4000,
    /in the future/,
  ],
  [
    'de-registration: malformed ID',
    'DELETE',
    () => '/maf/mafClientReg/..',
    undefined,
    4004,
    /no such MAF resource|UUID/,
  ],
  [
    'configuration: unknown ID',
    'GET',
    () => '/maf/mafClientReg/00000000-0000-4000-8000-000000000000/mafClientCfg',
    undefined,
    4004,
    /no MAF Client Registration/,
  ],
  // MAF Key Registration
  ['key: suid missing', 'POST', () => '/maf/symmKeyReg', drop('suid'), 4000, /suid must be an m2m:suid/],
  ['key: suid not a MAF key', 'POST', () => '/maf/symmKeyReg', key({ suid: 12 }), 4000, /not a MAF-distributed key/],
  ['key: suid as string', 'POST', () => '/maf/symmKeyReg', key({ suid: '32' }), 4000, /suid must be an m2m:suid/],
  ['key: targetIDs missing', 'POST', () => '/maf/symmKeyReg', drop('targetIDs'), 4000, /targetIDs is required/],
  [
    'key: two targets for SAEF',
    'POST',
    () => '/maf/symmKeyReg',
    key({ targetIDs: [B, '//m2msec.org/id-mn'] }),
    4000,
    /exactly one target/,
  ],
  [
    'key: relative target ID',
    'POST',
    () => '/maf/symmKeyReg',
    key({ targetIDs: ['/id-in'] }),
    4000,
    /targetIDs\[0\] must be an Absolute/,
  ],
  [
    'key: repeated target IDs',
    'POST',
    () => '/maf/symmKeyReg',
    key({ suid: 34, targetIDs: [B, B] }),
    4000,
    /must not repeat/,
  ],
  [
    'key: keyValue not base64',
    'POST',
    () => '/maf/symmKeyReg',
    key({ keyValue: 'not base64!' }),
    4000,
    /keyValue must be base64/,
  ],
  [
    'key: keyValue too short',
    'POST',
    () => '/maf/symmKeyReg',
    key({ keyValue: Buffer.alloc(8).toString('base64') }),
    4000,
    /16 to 64 bytes/,
  ],
  [
    'key: not registered for that stakeholder',
    'POST',
    () => '/maf/symmKeyReg',
    key({ adminFQDN: 'other.org' }),
    4103,
    /register with the MAF/,
  ],
  [
    'key: expirationTime missing',
    'POST',
    () => '/maf/symmKeyReg',
    drop('expirationTime'),
    4000,
    /expirationTime must be a time/,
  ],
  ['retrieval: malformed RelativeKeyID', 'GET', () => '/maf/symmKeyReg/xyz', undefined, 4000, /32 hexadecimal digits/],
  ['retrieval: not a target', 'GET', () => `/maf/symmKeyReg/${rid}`, undefined, 4103, /not an authorised Target/],
  [
    'key update: nothing to update',
    'PUT',
    () => `/maf/symmKeyReg/${rid}`,
    JSON.stringify({ mafFQDN: MAF_FQDN }),
    4000,
    /an update carries/,
  ],
  [
    'key update: suid is not updatable',
    'PUT',
    () => `/maf/symmKeyReg/${rid}`,
    JSON.stringify({ mafFQDN: MAF_FQDN, suid: 33 }),
    4000,
    /unknown attribute 'suid'/,
  ],
  [
    'key update: bad targetIDs',
    'PUT',
    () => `/maf/symmKeyReg/${rid}`,
    JSON.stringify({ mafFQDN: MAF_FQDN, targetIDs: [] }),
    4000,
    /targetIDs must be a list/,
  ],
  [
    'key update: unknown key',
    'PUT',
    () => `/maf/symmKeyReg/${'0'.repeat(32)}`,
    JSON.stringify({ mafFQDN: MAF_FQDN, labels: ['x'] }),
    4004,
    /no key registration/,
  ],
  ['key de-registration: malformed', 'DELETE', () => '/maf/symmKeyReg/12', undefined, 4000, /32 hexadecimal digits/],
  // DerivedKey trust anchor
  [
    'grant: attributes given',
    'POST',
    () => '/maf/dkTrustAnchor/ta1/grants',
    JSON.stringify({ clientId: 'x' }),
    4000,
    /unknown attribute 'clientId'/,
  ],
  ['grant: malformed TA_id', 'POST', () => '/maf/dkTrustAnchor/ta.1/grants', '{}', 4000, /TA_id must be/],
  ['grant: unknown TA', 'POST', () => '/maf/dkTrustAnchor/nope/grants', '{}', 4004, /no trust anchor/],
  [
    'revocation: empty list',
    'POST',
    () => '/maf/dkTrustAnchor/ta1/revocations',
    JSON.stringify({ sequenceNumbers: [] }),
    4000,
    /1 to 1024/,
  ],
  [
    'revocation: numbers not strings',
    'POST',
    () => '/maf/dkTrustAnchor/ta1/revocations',
    JSON.stringify({ sequenceNumbers: [1] }),
    4000,
    /decimal string/,
  ],
  [
    'revocation: beyond 2^64-1',
    'POST',
    () => '/maf/dkTrustAnchor/ta1/revocations',
    JSON.stringify({ sequenceNumbers: ['18446744073709551616'] }),
    4000,
    /0\.\.2\^64-1/,
  ],
  [
    'revocation: not its grant',
    'POST',
    () => '/maf/dkTrustAnchor/ta1/revocations',
    JSON.stringify({ sequenceNumbers: ['7'] }),
    4103,
    /was not issued to/,
  ],
  ['unknown resource', 'GET', () => '/maf/nothing', undefined, 4004, /no such MAF resource/],
];

describe('Mmaf endpoints refuse malformed input precisely and change nothing', () => {
  it.each(cases)('%s', async (_name, method, path, body, rsc, message, ct) => {
    const before = await snapshot();
    const r = await mmaf(method, path(), body, ct);
    expect(r.rsc).toBe(rsc);
    expect(r.dbg).toMatch(message);
    expect(await snapshot()).toBe(before);
  });

  it('a body over the size limit is refused before parsing', async () => {
    const before = await snapshot();
    const r = await mmaf('POST', '/maf/symmKeyReg', key({ labels: ['x'.repeat(20_000)] }));
    expect(r.rsc).toBe(4000);
    expect(r.dbg).toMatch(/too large/);
    expect(await snapshot()).toBe(before);
  });
});

describe('admin API refuses malformed input precisely and changes nothing', () => {
  const admin = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const r = await fetch(t.maf.urls.admin + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as { error?: string } };
  };
  const km = randomBytes(32).toString('hex');
  const adminCases: Array<[string, string, string, unknown, number, RegExp, string?]> = [
    ['no token', 'GET', '/admin/clients', undefined, 401, /bearer token/, 'wrong'],
    ['KmID without @', 'PUT', '/admin/clients/psk/abc', { km, clientId: A }, 400, /not a KmID/],
    [
      'KmID of another MAF',
      'PUT',
      '/admin/clients/psk/x@maf.other.org',
      { km, clientId: A },
      400,
      /must name this MAF/,
    ],
    [
      'km not hex',
      'PUT',
      `/admin/clients/psk/x@${MAF_FQDN}`,
      { km: 'zz', clientId: A },
      400,
      /km must be 16 to 64 bytes of hex/,
    ],
    ['km too short', 'PUT', `/admin/clients/psk/x@${MAF_FQDN}`, { km: 'abcd', clientId: A }, 400, /16 to 64 bytes/],
    [
      'clientId relative',
      'PUT',
      `/admin/clients/psk/x@${MAF_FQDN}`,
      { km, clientId: 'Cae1' },
      400,
      /clientId must be an Absolute/,
    ],
    [
      'unknown attribute',
      'PUT',
      `/admin/clients/psk/x@${MAF_FQDN}`,
      { km, clientId: A, suid: 21 },
      400,
      /unknown attribute 'suid'/,
    ],
    [
      'expiry in the past',
      'PUT',
      `/admin/clients/psk/x@${MAF_FQDN}`,
      { km, clientId: A, expirationTime: 5 },
      400,
      /in the future/,
    ],
    [
      'configuration not an object',
      'PUT',
      `/admin/clients/psk/x@${MAF_FQDN}`,
      { km, clientId: A, clientConfiguration: [] },
      400,
      /clientConfiguration/,
    ],
    ['certificate client relative ID', 'PUT', '/admin/clients/certificate/URI:x', { clientId: 'x' }, 400, /Absolute/],
    ['delete unknown kind', 'DELETE', '/admin/clients/gba/x', undefined, 400, /psk or certificate/],
    ['delete unknown client', 'DELETE', `/admin/clients/psk/none@${MAF_FQDN}`, undefined, 404, /no client credential/],
    ['deregister malformed key', 'DELETE', '/admin/keyRegs/zz', undefined, 400, /32 hexadecimal/],
    ['TA without key', 'PUT', '/admin/trust-anchors/ta2', { clients: {} }, 400, /its key is required/],
    ['TA bad C_id', 'PUT', '/admin/trust-anchors/ta2', { key: km, clients: { [A]: 'a.b' } }, 400, /C_id/],
    [
      'TA bad resource server',
      'PUT',
      '/admin/trust-anchors/ta2',
      { key: km, clients: {}, resourceServers: ['ftp://x'] },
      400,
      /resourceServers/,
    ],
    ['TA bad id', 'PUT', '/admin/trust-anchors/t.a', { key: km, clients: {} }, 400, /TA_id/],
  ];
  it.each(adminCases)('%s', async (_n, method, path, body, status, message, token) => {
    const before = await snapshot();
    const keys = (await t.se.listKeys()).map((k) => k.id).sort();
    const r = await admin(method, path, body, token);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(message);
    expect(await snapshot()).toBe(before);
    expect((await t.se.listKeys()).map((k) => k.id).sort()).toEqual(keys);
  });
});
