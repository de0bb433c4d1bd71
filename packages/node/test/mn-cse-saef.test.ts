// createMnCse on the one composition (issue 11 items 1 and 2), in-process: an IN-CSE (createCseNode) and
// an MN-CSE embedded as a gateway does (createMnCse, its router on the gateway's own HTTP server),
// registered to the IN-CSE over TLS-PSK, driven over HTTP and over MQTT (a private mosquitto, TLS with
// client certificates). The MN-CSE offers AEs the SAEFs the IN-CSE offers: an AE with a provisioned Kpsa
// (TS-0003 8.2.2.1) and an AE with a MAF-based association (8.2.2.3: psk_identity hex(KcID)@MAF-FQDN, Kc
// fetched from a real MAF of packages/maf running in this process) each register, and their requests to
// the IN-CSE are relayed over the registrar association under the AE-ID the association bound
// (TS-0003 7.2.1). Attack: another association, or the plain router, claiming that AE-ID gets 4106.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import { clientIdForAe, MqttOriginator } from '@m2msec/binding-mqtt';
import { MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import type { RequestPrimitive } from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import { CredentialStore } from '@m2msec/sensitive-data';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type TestBroker } from '../../binding-mqtt/test/helpers/broker.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from '../../maf/test/helpers.js';
import {
  type CseNode,
  type CseNodeConfig,
  createCseNode,
  createMnCse,
  inCseDefaults,
  type MnCse,
  openInCseSecureEnvironment,
} from '../src/index.js';

const ID_MN = '//m2msec.org/id-mn';
const ID_A = '//m2msec.org/id-mn/CmafA';
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

let broker: TestBroker;
let maf: TestMaf;
let inCse: CseNode;
let mn: MnCse;
let gateway: Server;
let gatewayUrl: string;
const mnKpsa = randomBytes(32);
const ae1Kpsa = randomBytes(32);
const ae2Kpsa = randomBytes(32);
let rqi = 0;
const req = (r: Omit<RequestPrimitive, 'rqi' | 'rvi'>): RequestPrimitive => ({ ...r, rqi: `r${++rqi}`, rvi: '3' });
const http = new HttpRequestSender({ timeoutMs: 10_000 });
const closers: Array<() => void> = [];

/** A sender whose every request rides one TLS-PSK association with this identity and key. */
function pskSender(identity: string, key: Buffer): HttpRequestSender {
  const agent = createSaefAgent({ kind: 'psk', identity, key });
  const s = new HttpRequestSender({ timeoutMs: 10_000, httpsAgent: agent });
  closers.push(() => {
    s.close();
    agent.destroy();
  });
  return s;
}

const aeBody = (api: string) => ({ 'm2m:ae': { api, rr: false, srv: ['3'] } });
const cin = (con: string) => ({ 'm2m:cin': { con } });

beforeAll(async () => {
  broker = await startBroker({
    cses: [
      { username: 'id-in', cseId: '/id-in' },
      { username: 'id-mn', cseId: '/id-mn' },
    ],
  });
  maf = await startTestMaf();
  const silent = pino({ level: 'silent' });

  // The IN-CSE: plain HTTP (development profile, CAdmin on loopback) and the TLS-PSK listener for Mcc.
  const d = structuredClone(inCseDefaults);
  const inConfig: CseNodeConfig = {
    ...d,
    cse: { ...d.cse, cseId: '/id-in', cseBaseName: 'cse-in', expirySweepMs: 0 },
    dataDir: tmp('m2msec-mn-saef-in-'),
    http: { ...d.http, port: await freePort() },
    security: {
      ...d.security,
      keyFile: join(tmp('m2msec-mn-saef-kek-'), 'kek'),
      derivedKey: false,
      psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
    },
    log: { level: 'silent' },
  };
  inCse = await createCseNode(inConfig, { log: silent });
  await inCse.security.credentials.addKey('Kpsa', { credentialId: 'kpsa-mn', owner: 'test', suid: 12 }, mnKpsa);
  inCse.security.kpsa.refresh();
  await inCse.security.bindings.set('12-kpsa-mn', { kind: 'cse', cseId: '/id-mn' });
  await inCse.start();
  // A container at the IN-CSE that only the AEs of the MN-CSE named here may write (TS-0001 9.6.2).
  const acp = await http.send(
    inCse.listeners.http!.url,
    req({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'mnAes',
          pv: { acr: [{ acor: ['/id-mn/Cpsk1', '/id-mn/CmafA', '/id-mn/Cmqtt1'], acop: 3 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
    }),
  );
  expect(acp.rsc).toBe(2001);
  const cnt = await http.send(
    inCse.listeners.http!.url,
    req({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/mnAes'] } } }),
  );
  expect(cnt.rsc).toBe(2001);

  // The gateway's own HTTP server, where the MN-CSE's extras (MAF key notifications) and router are mounted.
  gateway = createServer((rq, rs) =>
    mn.extras(rq, rs, () =>
      mn.router(rq as never, rs as never, () => {
        rs.statusCode = 404;
        rs.end();
      }),
    ),
  );
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  // The MN-CSE's Km at the MAF (operator provisioning) and in its own credential store before it starts.
  const mnMafClient = await maf.client(ID_MN);
  const dataDir = tmp('m2msec-mn-saef-mn-');
  const keyFile = join(tmp('m2msec-mn-saef-kek-'), 'kek');
  const se = await openInCseSecureEnvironment({ ...d, dataDir, security: { ...d.security, keyFile } });
  const credentials = await CredentialStore.open({ se });
  await credentials.addKey('Km', { credentialId: mnMafClient.kmId, owner: 'test', suid: 11 }, mnMafClient.km);
  await credentials.addKey('Kpsa', { credentialId: 'kpsa-ae1', owner: 'test', suid: 12 }, ae1Kpsa);
  await credentials.addKey('Kpsa', { credentialId: 'kpsa-ae2', owner: 'test', suid: 12 }, ae2Kpsa);
  credentials.close();
  await se.close();

  const { cert, key } = broker.pki.client('id-mn');
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [gatewayUrl],
    dataDir,
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: inCse.listeners.psk!.url,
      framework: { kind: 'psk', identity: 'kpsa-mn', key: mnKpsa },
      retryMs: 200,
    },
    mqtt: { url: broker.tlsUrl, tls: { ca: broker.pki.ca, cert, key } },
    security: {
      keyFile,
      psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
      maf: {
        url: maf.maf.urls.psk!,
        fqdn: MAF_FQDN,
        kmId: mnMafClient.kmId,
        adminFQDN: ADMIN_FQDN,
        notificationUrl: `${gatewayUrl}${MAF_KEY_NOTIFICATION_PATH}`,
      },
    },
    appRules: [
      // TS-0001 9.6.29: Kpsa AEs by their Credential-IDs, the MAF-based one by 12-<Key Identifier>.
      { name: 'kpsa', applicableCredIDs: ['12-kpsa-ae1', '12-kpsa-ae2'], allowedAppIDs: ['Nnode'], allowedAEs: ['*'] },
      { name: 'maf', applicableCredIDs: [`12-*@${MAF_FQDN}`], allowedAppIDs: ['Nmaf'], allowedAEs: ['CmafA'] },
      { name: 'open', allowedAppIDs: ['Nplain'], allowedAEs: ['*'] },
    ],
  });
  await mn.start();
  await mn.whenRegistered(30_000);
  // B (the MN-CSE) registers at the MAF in the background: wait for it (bounded).
  await Promise.race([
    mn.node.security.maf!.registration.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no MAF registration')), 30_000)),
  ]);
}, 180_000);

afterAll(async () => {
  for (const c of closers) c();
  await mn?.stop();
  await new Promise((r) => gateway?.close(r));
  await inCse?.stop();
  await maf?.close();
  http.close();
  await broker?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('createMnCse on createCseNode: HTTP and MQTT', () => {
  it('is registered to the IN-CSE, which holds its <remoteCSE>', async () => {
    expect(mn.registration.state).toBe('registered');
    const csr = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/id-mn', fr: 'CAdmin' }));
    expect(csr.rsc).toBe(2000);
    expect((csr.pc as { 'm2m:csr': { csi: string } })['m2m:csr'].csi).toBe('/id-mn');
  });

  it('answers over HTTP on the gateway router as an MN-CSE', async () => {
    const cb = await http.send(gatewayUrl, req({ op: 2, to: 'cse-mn', fr: 'CAdmin' }));
    expect(cb.rsc).toBe(2000);
    expect((cb.pc as { 'm2m:cb': { csi: string; cst: number } })['m2m:cb']).toMatchObject({ csi: '/id-mn', cst: 2 });
  });

  it('over MQTT: an AE registers at the MN-CSE and its request is relayed to the IN-CSE', async () => {
    const { cert, key } = broker.pki.client('Cmqtt1');
    const ae = await MqttOriginator.open({
      originator: 'Cmqtt1',
      receiver: '/id-mn',
      connect: { url: broker.tlsUrl, clientId: clientIdForAe('Cmqtt1'), tls: { ca: broker.pki.ca, cert, key } },
    });
    try {
      expect((await ae.send(req({ op: 1, to: 'cse-mn', fr: 'Cmqtt1', ty: 2, pc: aeBody('Nplain') }))).rsc).toBe(2001);
      const up = await ae.send(req({ op: 1, to: '/id-in/cse-in/data', fr: 'Cmqtt1', ty: 4, pc: cin('over-mqtt') }));
      expect(up.rsc, JSON.stringify(up.pc)).toBe(2001);
    } finally {
      await ae.close();
    }
  });
});

describe('createMnCse offers AEs the SAEFs of the IN-CSE', () => {
  it('TLS-PSK (provisioned Kpsa): the AE registers, is bound, and its request reaches the IN-CSE as /id-mn/Cpsk1', async () => {
    const ae1 = pskSender('kpsa-ae1', ae1Kpsa);
    const created = await ae1.send(mn.pskUrl!, req({ op: 1, to: 'cse-mn', fr: 'Cpsk1', ty: 2, pc: aeBody('Nnode') }));
    expect(created.rsc, JSON.stringify(created.pc)).toBe(2001);
    expect(mn.node.security.bindings.boundIdsSync('12-kpsa-ae1')).toContain('/id-mn/Cpsk1');
    const up = await ae1.send(
      mn.pskUrl!,
      req({ op: 1, to: '/id-in/cse-in/data', fr: 'Cpsk1', ty: 4, pc: cin('over-tls-psk') }),
    );
    expect(up.rsc, JSON.stringify(up.pc)).toBe(2001);
    const la = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/data/la', fr: 'CAdmin' }));
    expect((la.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe('over-tls-psk');
  });

  it('attack: another Kpsa association, or the plain router, claiming the bound AE-ID is refused 4106 (nothing relayed)', async () => {
    const ae2 = pskSender('kpsa-ae2', ae2Kpsa);
    expect(
      (await ae2.send(mn.pskUrl!, req({ op: 1, to: 'cse-mn', fr: 'Cpsk2', ty: 2, pc: aeBody('Nnode') }))).rsc,
    ).toBe(2001);
    const before = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/data', fr: 'CAdmin' }));
    const cni = (before.pc as { 'm2m:cnt': { cni: number } })['m2m:cnt'].cni;
    const spoofed = await ae2.send(
      mn.pskUrl!,
      req({ op: 1, to: '/id-in/cse-in/data', fr: 'Cpsk1', ty: 4, pc: cin('spoofed') }),
    );
    expect(spoofed.rsc).toBe(4106);
    const plain = await http.send(
      gatewayUrl,
      req({ op: 1, to: '/id-in/cse-in/data', fr: 'Cpsk1', ty: 4, pc: cin('x') }),
    );
    expect(plain.rsc).toBe(4106);
    const after = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/data', fr: 'CAdmin' }));
    expect((after.pc as { 'm2m:cnt': { cni: number } })['m2m:cnt'].cni).toBe(cni);
  });

  it('MAF-based: Entity A registers a key for the MN-CSE at the MAF, registers its AE over Kc, its request is relayed', async () => {
    const a = await maf.client(ID_A);
    await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
    const k = await a.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(5),
      suid: 32,
      targetIDs: [ID_MN],
    });
    expect(k.keyIdentifier).toMatch(new RegExp(`^[0-9a-f]+@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    const ae = pskSender(k.keyIdentifier, k.connectionKey!.kc);
    // The MAF announces the key to B (notificationURI on the gateway), B retrieves Kc; a handshake before
    // that is refused and starts the retrieval itself, so A retries (bounded).
    let created: Awaited<ReturnType<HttpRequestSender['send']>> | undefined;
    for (let i = 0; i < 50 && !created; i++) {
      created = await ae
        .send(mn.pskUrl!, req({ op: 1, to: 'cse-mn', fr: 'CmafA', ty: 2, pc: aeBody('Nmaf') }))
        .catch(async () => {
          await new Promise((r) => setTimeout(r, 200));
          return undefined;
        });
    }
    expect(created?.rsc, JSON.stringify(created?.pc)).toBe(2001);
    expect(mn.node.security.maf!.keys.lookup(k.keyIdentifier)?.entityId).toBe(ID_A);
    const up = await ae.send(
      mn.pskUrl!,
      req({ op: 1, to: '/id-in/cse-in/data', fr: 'CmafA', ty: 4, pc: cin('over-maf') }),
    );
    expect(up.rsc, JSON.stringify(up.pc)).toBe(2001);
    const la = await http.send(inCse.listeners.http!.url, req({ op: 2, to: 'cse-in/data/la', fr: 'CAdmin' }));
    expect((la.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe('over-maf');
    // Attack: the Kc association claims the Kpsa AE's ID, a Kpsa association claims the MAF AE's: 4106.
    expect((await ae.send(mn.pskUrl!, req({ op: 2, to: 'cse-mn/Cpsk1', fr: 'Cpsk1' }))).rsc).toBe(4106);
    const ae1 = pskSender('kpsa-ae1', ae1Kpsa);
    expect(
      (await ae1.send(mn.pskUrl!, req({ op: 1, to: '/id-in/cse-in/data', fr: 'CmafA', ty: 4, pc: cin('y') }))).rsc,
    ).toBe(4106);
  });
});
