// ESPrim (TS-0003 8.4, 7.2.2; TS-0004 7.6.2) over real sockets: an AE speaks HTTP to a real MN-CSE
// (createMnCse), which relays over its certificate-SAEF HTTPS association to an IN-CSE composed from the
// packages with withESPrimTarget and CseOptions.endToEndAuthenticated. The IN-CSE's `acaf` rule accepts the
// relayed AE only with ESPrim; a byte altered on the MN -> IN hop (a hook in front of the IN-CSE's handler,
// where a compromised MN-CSE's output arrives) is detected with 4115; a replay with 5210.

import { establishE2EKey } from '@m2msec/escertke';
import { contentInfo, keyResolver, protectContent, unprotectContent } from '@m2msec/esdata';
import {
  E2ECredentialRegistry,
  ESPrimClient,
  ESPrimOriginator,
  generateSourceCredential,
  securityInfoOf,
} from '@m2msec/esprim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESPRIM_AE as AE, type EsprimWorld, startEsprimWorld } from '../src/nodes/esprim-world.js';

let w: EsprimWorld;

beforeAll(async () => {
  w = await startEsprimWorld();
  // At the IN-CSE: a container whose only rule for the MN's AE demands an authenticated originator.
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: [AE], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
  expect(
    await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpAuth'] } }),
  ).toBe(2001);
  expect(await w.post(w.mnUrl, '/cse-mn', 'Cae1', 2, { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } })).toBe(2001);
}, 120_000);

afterAll(async () => {
  await w?.close();
});

describe('ESPrim AE -> MN-CSE -> IN-CSE over HTTP and the certificate SAEF', () => {
  it('without ESPrim the relayed AE does not satisfy acaf (4103)', async () => {
    const r = await fetch(`${w.mnUrl}/~/id-in/cse-in/data`, { headers: w.headersFor('Cae1') });
    expect(Number(r.headers.get('X-M2M-RSC'))).toBe(4103);
  });

  it('with ESPrim: CREATE and RETRIEVE succeed, and the MN -> IN hop carried only ciphertext', async () => {
    w.hop.seen.length = 0;
    const c = w.client();
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
    expect(w.hop.seen.length).toBeGreaterThanOrEqual(3); // sit 3, then two sit 5
    expect(w.hop.seen.every((r) => r.op === 5 && r.to === '/id-in/cse-in')).toBe(true);
    expect(JSON.stringify(w.hop.seen)).not.toContain('secret-21.5');
  });

  it('a byte altered on the MN -> IN hop is detected at the target (4115) and nothing is created', async () => {
    const c = w.client();
    await c.establishSession();
    w.hop.alter = (req) => {
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
      w.hop.alter = undefined;
    }
    const got = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'i4', rvi: '3' });
    expect((got.pc as any)['m2m:cnt'].cni).toBe(1);
  });

  it('a replayed outer NOTIFY is refused (5210)', async () => {
    const last = w.hop.seen.filter((r) => securityInfoOf(r.pc)?.sit === 5).at(-1)!;
    const r = await w.sender.send(w.mnUrl, { ...last, fr: 'Cae1', rqi: 'replay-1' }, { retarget: true });
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
    expect(await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
    expect(
      await w.post(w.inPlainUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'readings', acpi: ['cse-in/acpOpen'] } }),
    ).toBe(2001);
    expect(await w.post(w.inPlainUrl, '/cse-in', 'Capp', 2, { 'm2m:ae': { api: 'Napp', rr: false, srv: ['3'] } })).toBe(
      2001,
    );
    const con = await protectContent('{"temperature":21.5}', {
      securityClass: 'encrypt',
      serialization: 1,
      recipients: [{ kid: registration.credentialId, alg: 'dir', key: keys.attConf }],
    });
    w.hop.seen.length = 0;
    const cin = { 'm2m:cin': { rn: 'r1', cnf: contentInfo('application/json', 0, 1), con } };
    expect(await w.post(w.mnUrl, '/~/id-in/cse-in/readings', 'Cae1', 4, cin)).toBe(2001);
    expect(JSON.stringify(w.hop.seen)).not.toContain('temperature');
    const stored = await w.inCse.handle(
      { op: 2, to: 'cse-in/readings/r1', fr: 'CAdmin', rqi: 'adm', rvi: '3' },
      { binding: 'http' },
    );
    expect(JSON.stringify(stored.pc)).not.toContain('temperature');
    // The application fetches the content over HTTP, gets the key from the TEF, and opens it.
    const r = await fetch(`${w.inPlainUrl}/cse-in/readings/r1`, { headers: w.headersFor('Capp') });
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

  it('ESCertKE through the MN-CSE over HTTP / HTTPS, then ESPrim with the established key passes acaf', async () => {
    const cert = w.issue('URI:m2m://m2msec.org/id-mn/Cae1');
    const send = (req: Parameters<typeof w.sender.send>[1]) => w.sender.send(w.mnUrl, req, { retarget: true });
    w.hop.seen.length = 0;
    const e = await establishE2EKey({
      endPoint: {
        ...cert,
        ca: w.caCert,
        identityContext: { spId: 'm2msec.org', inCseId: '/id-in' },
        terminatingId: '/id-in',
      },
      send,
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    expect(w.keys.get(e.kid)?.identity).toBe(AE);
    expect(w.hop.seen.map((r) => securityInfoOf(r.pc)?.sit)).toEqual([6, 6]);
    expect(JSON.stringify(w.hop.seen)).not.toContain(e.pairwiseE2EKey.toString('base64'));
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: e.kid, pairwiseESPrimKey: e.pairwiseE2EKey }),
      send,
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    const got = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'k1', rvi: '3' });
    expect(got.rsc, got.dbg).toBe(2000);
  });
});
