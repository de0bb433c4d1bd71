// ESPrim (TS-0003 8.4, 7.2.2; TS-0004 7.6.2) over real sockets: an AE speaks HTTP to a real MN-CSE
// (createMnCse), which relays over its certificate-SAEF HTTPS association to an IN-CSE composed from the
// packages with withESPrimTarget and CseOptions.endToEndAuthenticated. The IN-CSE's `acaf` rule accepts the
// relayed AE only with ESPrim; a byte altered on the MN -> IN hop (a hook in front of the IN-CSE's handler,
// where a compromised MN-CSE's output arrives) is detected with 4115; a replay with 5210.

import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { contentInfo, keyResolver, protectContent, unprotectContent } from '@m2msec/esdata';
import {
  E2ECredentialRegistry,
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimAuthenticated,
  generateSourceCredential,
  PairwiseESPrimKeys,
  securityInfoOf,
  withESPrimTarget,
} from '@m2msec/esprim';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import type { RequestHandler, RequestPrimitive } from '@m2msec/protocol';
import { certificateServerOptions } from '@m2msec/saef';
import {
  associationTransportContext,
  certificateAssociationHandler,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { openSqliteStore } from '@m2msec/store';
import { TestCa } from '@m2msec/test-support';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AE = '/id-mn/Cae1';
const KID = 'ae1-in@mef.m2msec.org';
const key = randomBytes(32);

let inCse: Cse;
let inPlain: ReturnType<typeof createHttpBinding>;
let inPlainUrl: string;
let mcc: HttpsServer;
let mn: MnCse;
let gw: Server;
let mnUrl: string;
const sender = new HttpRequestSender({ timeoutMs: 10_000 });
/** What reached the IN-CSE over Mcc, and an optional alteration (a compromised MN-CSE). */
const hop: { seen: RequestPrimitive[]; alter?: (r: RequestPrimitive) => RequestPrimitive } = { seen: [] };

let n = 0;
const headersFor = (from: string, ty?: number) => ({
  'X-M2M-Origin': from,
  'X-M2M-RI': `t${++n}`,
  'X-M2M-RVI': '3',
  Accept: 'application/json',
  'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}`,
});
async function post(base: string, path: string, from: string, ty: number, body: unknown) {
  const r = await fetch(base + path, { method: 'POST', headers: headersFor(from, ty), body: JSON.stringify(body) });
  return Number(r.headers.get('X-M2M-RSC'));
}

beforeAll(async () => {
  const ca = new TestCa('esprim-e2e');
  const inServer = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const mnClient = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  const mnServer = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' });

  inCse = await Cse.open({
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    endToEndAuthenticated: esprimAuthenticated,
    config: { cseId: '/id-in', cseBaseName: 'cse-in', cseType: 1, expirySweepMs: 0 },
  });
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: AE });
  const bases = new Set(['/id-in/cse-in', '/id-in', 'cse-in']);
  const target = withESPrimTarget(inCse.handle, {
    receiver: new ESPrimReceiver({ keys }),
    isCseBase: (to) => bases.has(to),
  });
  const tamperable: RequestHandler = (raw, t) => {
    const req = raw as RequestPrimitive;
    hop.seen.push(structuredClone(req));
    return target(hop.alter ? hop.alter(req) : req, t);
  };
  inPlain = createHttpBinding({ handler: inCse.handle, cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org' });
  inPlainUrl = `http://127.0.0.1:${(await inPlain.listen({ host: '127.0.0.1', port: 0 })).port}`;
  const registry = new SecurityAssociationRegistry({});
  const tlsBinding = createHttpBinding({
    handler: tamperable,
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
    transportContext: associationTransportContext({ registry, bindings: { boundIdsSync: () => [] } }),
  });
  const app = express();
  app.use(tlsBinding.router);
  mcc = createServer(
    certificateServerOptions({ cert: inServer.cert, key: inServer.key, trustAnchors: [ca.cert] }),
    app,
  );
  mcc.on(
    'secureConnection',
    certificateAssociationHandler({ registry, identityContext: { spId: 'm2msec.org', inCseId: '/id-in' } }),
  );
  await new Promise<void>((r) => mcc.listen(0, '127.0.0.1', r));

  const probe = createHttpServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const mccPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [`https://127.0.0.1:${mccPort}`],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${(mcc.address() as AddressInfo).port}`,
      framework: {
        kind: 'certificate',
        cert: mnClient.cert,
        key: mnClient.key,
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      },
      retryMs: 200,
    },
    mcc: { port: mccPort, cert: mnServer.cert, key: mnServer.key, trustAnchors: [ca.cert] },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  const gwApp = express();
  gwApp.use('/onem2m', mn.router);
  gw = gwApp.listen(0, '127.0.0.1');
  await new Promise((r) => gw.once('listening', r));
  mnUrl = `http://127.0.0.1:${(gw.address() as AddressInfo).port}/onem2m`;
  await mn.start();
  await mn.whenRegistered(30_000);

  // At the IN-CSE: a container whose only rule for the MN's AE demands an authenticated originator.
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: [AE], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await post(inPlainUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
  expect(await post(inPlainUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpAuth'] } })).toBe(
    2001,
  );
  expect(await post(mnUrl, '/cse-mn', 'Cae1', 2, { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } })).toBe(2001);
}, 120_000);

afterAll(async () => {
  sender.close();
  await mn?.stop();
  gw?.close();
  mcc?.closeAllConnections();
  await new Promise((r) => mcc?.close(r));
  await inPlain?.close({ graceMs: 100 });
  await inCse?.stop();
});

/** The AE's ESPrim client: outer NOTIFYs over HTTP to its registrar, addressed to the IN-CSE's <CSEBase>. */
const client = () =>
  new ESPrimClient({
    originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
    send: (req) => sender.send(mnUrl, req, { retarget: true }),
    from: 'Cae1',
    targetCseBase: '/id-in/cse-in',
  });

describe('ESPrim AE -> MN-CSE -> IN-CSE over HTTP and the certificate SAEF', () => {
  it('without ESPrim the relayed AE does not satisfy acaf (4103)', async () => {
    const r = await fetch(`${mnUrl}/~/id-in/cse-in/data`, { headers: headersFor('Cae1') });
    expect(Number(r.headers.get('X-M2M-RSC'))).toBe(4103);
  });

  it('with ESPrim: CREATE and RETRIEVE succeed, and the MN -> IN hop carried only ciphertext', async () => {
    hop.seen.length = 0;
    const c = client();
    const created = await c.request({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: AE,
      rqi: 'i1',
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { con: 'secret-21.5' } },
    });
    expect(created.rsc, created.dbg).toBe(2001);
    const got = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'i2', rvi: '3' });
    expect(got.rsc, got.dbg).toBe(2000);
    expect((got.pc as any)['m2m:cnt'].cni).toBe(1);
    expect(hop.seen.length).toBeGreaterThanOrEqual(3); // sit 3, then two sit 5
    expect(hop.seen.every((r) => r.op === 5 && r.to === '/id-in/cse-in')).toBe(true);
    expect(JSON.stringify(hop.seen)).not.toContain('secret-21.5');
  });

  it('a byte altered on the MN -> IN hop is detected at the target (4115) and nothing is created', async () => {
    const c = client();
    await c.establishSession();
    hop.alter = (req) => {
      const seci = securityInfoOf(req.pc);
      if (seci?.sit !== 5) return req;
      const parts = seci.epo!.split('.');
      const ct = parts[3]!;
      parts[3] = ct.slice(0, 5) + (ct[5] === 'A' ? 'B' : 'A') + ct.slice(6);
      return { ...req, pc: { 'm2m:seci': { ...seci, epo: parts.join('.') } } };
    };
    try {
      const r = await c.request({
        op: 1,
        to: '/id-in/cse-in/data',
        fr: AE,
        rqi: 'i3',
        rvi: '3',
        ty: 4,
        pc: { 'm2m:cin': { con: 'x' } },
      });
      expect(r.rsc).toBe(4115);
    } finally {
      hop.alter = undefined;
    }
    const got = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'i4', rvi: '3' });
    expect((got.pc as any)['m2m:cnt'].cni).toBe(1);
  });

  it('a replayed outer NOTIFY is refused (5210)', async () => {
    const last = hop.seen.filter((r) => securityInfoOf(r.pc)?.sit === 5).at(-1)!;
    const r = await sender.send(mnUrl, { ...last, fr: 'Cae1', rqi: 'replay-1' }, { retarget: true });
    expect(r.rsc).toBe(5210);
  });

  it('ESData: con protected by the AE for an IN-side application crosses MN and IN as ciphertext', async () => {
    // A Source-generated credential (TS-0003 8.6.3) registered at a TEF for the application Capp.
    const tef = new E2ECredentialRegistry();
    const { registration, keys } = generateSourceCredential({
      sourceId: AE,
      targetIds: ['/id-in/Capp'],
      tefFqdn: 'mef.m2msec.org',
    });
    tef.register(AE, registration);
    const acp = {
      'm2m:acp': {
        rn: 'acpOpen',
        pv: {
          acr: [
            { acor: [AE], acop: 1 },
            { acor: ['Capp'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    };
    expect(await post(inPlainUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
    expect(
      await post(inPlainUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'readings', acpi: ['cse-in/acpOpen'] } }),
    ).toBe(2001);
    expect(await post(inPlainUrl, '/cse-in', 'Capp', 2, { 'm2m:ae': { api: 'Napp', rr: false, srv: ['3'] } })).toBe(
      2001,
    );
    const con = await protectContent('{"temperature":21.5}', {
      securityClass: 'encrypt',
      serialization: 1,
      recipients: [{ kid: registration.credentialId, alg: 'dir', key: keys.attConf }],
    });
    hop.seen.length = 0;
    const cin = { 'm2m:cin': { rn: 'r1', cnf: contentInfo('application/json', 0, 1), con } };
    expect(await post(mnUrl, '/~/id-in/cse-in/readings', 'Cae1', 4, cin)).toBe(2001);
    expect(JSON.stringify(hop.seen)).not.toContain('temperature');
    const stored = await inCse.handle(
      { op: 2, to: 'cse-in/readings/r1', fr: 'CAdmin', rqi: 'adm', rvi: '3' },
      { binding: 'http' },
    );
    expect(JSON.stringify(stored.pc)).not.toContain('temperature');
    // The application fetches the content over HTTP, gets the key from the TEF, and opens it.
    const r = await fetch(`${inPlainUrl}/cse-in/readings/r1`, { headers: headersFor('Capp') });
    const got = ((await r.json()) as { 'm2m:cin': { cnf: string; con: string } })['m2m:cin'];
    expect(got.cnf).toBe('application/json:0:1');
    const provisioned = tef.provision('/id-in/Capp', registration.credentialId);
    const opened = await unprotectContent(got.con, {
      securityClass: 'encrypt',
      serialization: 1,
      resolve: keyResolver([{ kid: registration.credentialId, key: provisioned.keys.attConf }]),
    });
    expect(Buffer.from(opened.payload).toString()).toBe('{"temperature":21.5}');
    // A byte altered in the stored ciphertext is detected at the application (4102).
    const parts = (got.con as string).split('.');
    parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
    await expect(
      unprotectContent(parts.join('.'), {
        securityClass: 'encrypt',
        serialization: 1,
        resolve: keyResolver([{ kid: registration.credentialId, key: provisioned.keys.attConf }]),
      }),
    ).rejects.toMatchObject({ rsc: 4102 });
  });
});
