// Issue 17 must-show: an MN-CSE whose certificate is replaced through [myCertFileCred] keeps serving its
// AEs, and the old certificate is refused afterwards. The IN-CSE is the real process (apps/in-cse, its
// certificate SAEF listener re-reading its CRL file); the MEF is @m2msec/mef's startMef (EST with
// its own CA; the MN-CSE is @m2msec/node's createMnCse in this process, its Mcc on a switchable agent,
// with @m2msec/device-config polling its <node> at the IN-CSE.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender, httpEdge } from '@m2msec/binding-http';
import { canonicalSerial, createCertificateAuthority, issueCrl } from '@m2msec/est';
import { type RunningMaf, startMaf } from '@m2msec/maf';
import { type RunningMef, startMef } from '@m2msec/mef';
import { createMnCse, type MnCse } from '@m2msec/node';
import { openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore, type Store } from '@m2msec/store';
import { freePort, type InCseProcess, type Issued, startInCseProcess, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateCredential,
  certificateFingerprint,
  createSwitchableAgent,
  DeviceSecurityConfig,
  type SwitchableAgent,
} from '../src/index.js';

const inCseMain = fileURLToPath(new URL('../../../apps/in-cse/dist/main.js', import.meta.url));
const inCseCredentials = fileURLToPath(new URL('../../../apps/in-cse/dist/credentials.js', import.meta.url));
const mnCseMain = fileURLToPath(new URL('../../../apps/mn-cse/dist/main.js', import.meta.url));
const aeMain = fileURLToPath(new URL('../../../apps/ae/dist/main.js', import.meta.url));
let dir: string;
let ca: TestCa;
let se: SecureEnvironment;
let estCaPem: string;
let mefStore: Store;
let mefServer: RunningMef;
/** The MAF the administrator means, and a MAF and a MEF with certificates of a CA the node does not trust. */
let maf: RunningMaf;
let rogueMaf: RunningMaf;
let rogueMef: RunningMef;
const extraStores: Store[] = [];
const MAF_TOKEN = 'maf-admin-token-for-this-test';
/** Symmetric keys provisioned on the node (by ID): what an authenticationProfile's symmKeyID can name. */
const provisioned = new Map<string, Uint8Array>();
let estPort: number;
const MEF_TOKEN = 'mef-admin-token-for-this-test';
let inCse: InCseProcess;
let inMccPort: number;
let inPskPort: number;
/** The Kpsa the MN-CSE holds and the IN-CSE knows, bound there to /id-mn. */
const KPSA_ID = 'kpsa-mn-0001@m2msec.org';
/** The IN-CSE's Km at the MAF (it is Entity B of the MAF-based SAEF). */
const IN_KM_ID = 'km-in-0001@maf.m2msec.org';
let notifyPort: number;
/** Notification endpoints of the MN-CSE and AE processes that take the push channel. */
let mnPushPort: number;
let aePushPort: number;
let mefCert: Issued;
let mnOriginal: Issued;
let mn: MnCse;
let mnHttp: import('node:http').Server;
let mnUrl: string;
let switchable: SwitchableAgent;
let device: DeviceSecurityConfig;

async function m2m(base: string, path: string, from: string, op: 'GET' | 'POST' | 'PUT', body?: unknown, ty?: number) {
  const r = await fetch(`${base}${path}`, {
    method: op,
    headers: {
      'X-M2M-Origin': from,
      'X-M2M-RI': `t-${Math.random()}`,
      'X-M2M-RVI': '3',
      Accept: 'application/json',
      ...(body ? { 'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await r.text();
  return { rsc: Number(r.headers.get('x-m2m-rsc')), body: text ? JSON.parse(text) : {} };
}

async function until(what: string, pred: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A bare TLS handshake + HTTP request to the IN-CSE's certificate listener with this credential. */
function mccWith(cert: string, key: string): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect({
      host: '127.0.0.1',
      port: inMccPort,
      servername: 'id-in.m2msec.org',
      cert,
      key,
      ca: [ca.cert],
    });
    let answer = '';
    s.on('secureConnect', () =>
      s.write(
        'GET /cse-in/data HTTP/1.1\r\nHost: id-in.m2msec.org\r\nX-M2M-Origin: /id-mn\r\nX-M2M-RI: probe\r\nX-M2M-RVI: 3\r\nConnection: close\r\n\r\n',
      ),
    );
    s.on('data', (d) => (answer += d));
    s.on('error', () => resolve('refused'));
    s.on('close', () => resolve(/X-M2M-RSC: 2000/i.test(answer) ? 'accepted' : 'refused'));
    s.setTimeout(15_000, () => s.destroy());
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-dcfg-'));
  ca = new TestCa('dcfg');
  const inServer = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const estServer = ca.issue({ san: 'DNS:mef.m2msec.org,IP:127.0.0.1', usage: 'server' });
  mefCert = estServer;
  mnOriginal = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  chmodSync(inServer.keyPath, 0o600);
  const crl = ca.crl();

  // The MEF's EST service: its own CA; a node enrols for exactly the names its client certificate has.
  se = await openSoftwareSecureEnvironment({
    path: join(dir, 'keystore.json'),
    passphrase: 'test only',
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  const estCa = await createCertificateAuthority({
    se,
    keyId: 'mef-ca',
    subject: 'CN=MEF CA, O=m2msec test',
    nameConstraints: { permitted: { dns: ['m2msec.org'], uri: ['m2msec.org'] } },
  });
  estCaPem = new X509Certificate(estCa.certificate).toString();
  const estCaPath = join(dir, 'mef-ca.pem');
  writeFileSync(estCaPath, estCaPem);
  // The IN-CSE checks revocation for every CA it trusts: the MEF CA's (empty) CRL too.
  const thisUpdate = new Date(Date.now() - 60_000);
  const estCrl = await issueCrl(estCa, {
    thisUpdate,
    nextUpdate: new Date(Date.now() + 86_400_000),
    crlNumber: 1n,
    revoked: [],
  });
  const estCrlPath = join(dir, 'mef-ca.crl');
  writeFileSync(
    estCrlPath,
    `-----BEGIN X509 CRL-----\n${Buffer.from(estCrl)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .replace(/\n$/, '')}\n-----END X509 CRL-----\n`,
  );
  // The MEF (its certificate listener trusts the operator CA; EST with its own CA; Mmef procedures).
  mefStore = await openSqliteStore({ file: join(dir, 'mef.db') });
  mefServer = await startMef({
    edge: httpEdge,
    fqdn: 'mef.m2msec.org',
    store: mefStore,
    se,
    ca: estCa,
    certificate: { host: '127.0.0.1', port: 0, cert: estServer.cert, key: estServer.key, trustAnchors: [ca.cert] },
    admin: { host: '127.0.0.1', port: 0, token: MEF_TOKEN },
  });
  estPort = Number(new URL(mefServer.urls.certificate!).port);
  // The MAF (certificate and PSK MAF Handshakes), and the impostors: real servers, certificates of another CA.
  const mafServer = ca.issue({ san: 'DNS:maf.m2msec.org', usage: 'server' });
  const rogue = new TestCa('dcfg-impostor');
  const rogueMafCert = rogue.issue({ san: 'DNS:maf.m2msec.org', usage: 'server' });
  const rogueMefCert = rogue.issue({ san: 'DNS:mef.m2msec.org', usage: 'server' });
  const openStore = async (name: string) => {
    const st = await openSqliteStore({ file: join(dir, `${name}.db`) });
    extraStores.push(st);
    return st;
  };
  const mafOptions = (cert: { cert: string; key: string }) => ({
    edge: httpEdge,
    fqdn: 'maf.m2msec.org',
    se,
    psk: { host: '127.0.0.1', port: 0 },
    certificate: { host: '127.0.0.1', port: 0, ...cert, trustAnchors: [ca.cert, estCaPem] },
    admin: { host: '127.0.0.1', port: 0, token: MAF_TOKEN },
    purgeIntervalMs: 0,
  });
  maf = await startMaf({ ...mafOptions(mafServer), store: await openStore('maf') });
  rogueMaf = await startMaf({ ...mafOptions(rogueMafCert), store: await openStore('rogue-maf') });
  rogueMef = await startMef({
    edge: httpEdge,
    fqdn: 'mef.m2msec.org',
    store: await openStore('rogue-mef'),
    se,
    certificate: { host: '127.0.0.1', port: 0, ...rogueMefCert, trustAnchors: [ca.cert, estCaPem] },
    admin: { host: '127.0.0.1', port: 0, token: MEF_TOKEN },
  });
  // The IN-CSE is Entity B of the MAF-based SAEF (SUID 32): a MAF client of the real MAF with its own Km.
  const inKm = Buffer.from(randomBytes(32));
  {
    const r = await fetch(`${maf.urls.admin}/admin/clients/psk/${IN_KM_ID}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${MAF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ km: inKm.toString('hex'), clientId: '//m2msec.org/id-in' }),
    });
    expect(r.status, await r.text()).toBe(200);
  }
  // Both MAFs know the node by its certificate's name and by a Km provisioned on the node (SUID 31).
  const km = Buffer.from(randomBytes(32));
  provisioned.set('km-mn-0001@maf.m2msec.org', km);
  for (const m of [maf, rogueMaf]) {
    for (const [path, body] of [
      [
        `/admin/clients/certificate/${encodeURIComponent('id-mn.id-in.m2msec.org')}`,
        { clientId: '//m2msec.org/id-mn' },
      ],
      ['/admin/clients/psk/km-mn-0001@maf.m2msec.org', { km: km.toString('hex'), clientId: '//m2msec.org/id-mn' }],
    ] as const) {
      const r = await fetch(`${m.urls.admin}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${MAF_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.text()).toBe(200);
    }
  }
  // The enrolees: a node enrols for exactly the name its certificate has.
  for (const [san, enroleeId] of [
    ['id-mn.id-in.m2msec.org', '/id-mn'],
    ['id-mn2.id-in.m2msec.org', '/id-mn2'],
    ['m2m://m2msec.org/id-in/Caedev', 'Caedev'],
  ]) {
    const r = await fetch(`${mefServer.urls.admin}/admin/enrolees/certificate/${encodeURIComponent(san!)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${MEF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        enroleeId,
        targets: [],
        enrolmentExpirySeconds: 86_400,
        certificateEnrolment: true,
        subjectAltNames: [san],
      }),
    });
    expect(r.status, await r.text()).toBe(200);
  }

  // The IN-CSE process: certificate listener trusting both CAs, the operator CA's CRL re-read on change.
  inMccPort = await freePort();
  notifyPort = await freePort();
  mnPushPort = await freePort();
  aePushPort = await freePort();
  inPskPort = await freePort();
  const inConfig = {
    profile: 'development',
    cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
    registration: {
      appRules: [
        { name: 'aedev', applicableCredIDs: ['33-/id-in/Caedev'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
        { name: 'aepush', applicableCredIDs: ['33-/id-in/Caepush'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
      ],
    },
    security: {
      mca: 'optional',
      administrators: [],
      derivedKey: false,
      bindings: [],
      // The Provisioned Symmetric Key SAEF on its own listener (SUID 12, TS-0003 8.2.2.1), and the
      // MAF-based SAEF on the same listener (SUID 32, 8.2.2.3): Kc from the MAF by Key Retrieval.
      psk: { host: '127.0.0.1', port: inPskPort, tls13: false },
      maf: { url: maf.urls.psk!, fqdn: 'maf.m2msec.org', kmId: IN_KM_ID, adminFQDN: 'm2msec.org' },
      certificate: {
        host: '127.0.0.1',
        port: inMccPort,
        cert: inServer.certPath,
        key: inServer.keyPath,
        trustAnchors: [ca.certPath, estCaPath],
        crls: [crl.path, estCrlPath],
        crl: { refreshSeconds: 1 },
        tls13: true,
      },
    },
    // The node's own notification endpoint (push of its configuration) is on loopback.
    notifications: {
      allowTargets: [`127.0.0.1:${notifyPort}`, `127.0.0.1:${mnPushPort}`, `127.0.0.1:${aePushPort}`],
    },
    log: { level: 'warn' },
  };
  // A Kpsa the MN-CSE already holds, provisioned at the IN-CSE for /id-mn through its credentials CLI
  // (key on stdin, never argv) before it starts.
  const inDataDir = join(dir, 'in-cse');
  mkdirSync(inDataDir, { mode: 0o700 });
  writeFileSync(join(inDataDir, 'config.json'), JSON.stringify(inConfig));
  const kpsa = Buffer.from(randomBytes(32));
  provisioned.set(KPSA_ID, kpsa);
  const credentialsCli = (args: string[], key: Buffer) =>
    execFileSync(process.execPath, [inCseCredentials, ...args, '--key-file', '-'], {
      input: key.toString('hex'),
      env: { ...process.env, M2MSEC_CONFIG: join(inDataDir, 'config.json'), M2MSEC_DATA_DIR: inDataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  credentialsCli(['add-psk', '--id', KPSA_ID, '--bind', '/id-mn'], kpsa);
  credentialsCli(['add-km', '--id', IN_KM_ID], inKm);
  inCse = await startInCseProcess({
    main: inCseMain,
    store: 'sqlite',
    startTimeoutMs: 120_000,
    dataDir: inDataDir,
    config: inConfig,
  });
  // It registers at the MAF in the background at start.
  await until('the IN-CSE registered at the MAF', async () =>
    (await maf.store.clientRegs.list()).some(({ value }) => value.clientId === '//m2msec.org/id-in'),
  );

  // The MN-CSE: its Mcc rides the switchable agent.
  const credential: CertificateCredential = {
    chain: mnOriginal.cert,
    key: mnOriginal.key,
    trustAnchors: [ca.cert],
    servername: 'id-in.m2msec.org',
  };
  const framework = {
    kind: 'certificate' as const,
    cert: credential.chain,
    key: credential.key,
    trustAnchors: [...credential.trustAnchors],
    servername: credential.servername,
  };
  // The IN-CSE serves the PSK-based SAEFs on their own listener: a switch to a key connects there.
  switchable = createSwitchableAgent(
    framework,
    {},
    { psk: { host: '127.0.0.1', port: inPskPort }, maf: { host: '127.0.0.1', port: inPskPort } },
  );
  const registrarUrl = `https://127.0.0.1:${inMccPort}`;
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: ['http://127.0.0.1:1'],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: registrarUrl,
      framework,
      httpsAgent: switchable.agent,
      retryMs: 300,
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  // The MN-CSE's oneM2M binding as a plain Node listener (no express outside binding-http).
  const route = mn.router as unknown as (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  mnHttp = createHttpServer((req, res) =>
    route(req, res, () => {
      res.statusCode = 404;
      res.end();
    }),
  ).listen(0, '127.0.0.1');
  await new Promise<void>((r) => mnHttp.once('listening', r));
  mnUrl = `http://127.0.0.1:${(mnHttp.address() as AddressInfo).port}`;
  await mn.start();
  await mn.whenRegistered(60_000);

  // At the IN-CSE (administrator over the development profile's loopback listener): a container the
  // MN's AE reads, the MN's <node> and a policy that lets the MN-CSE read it and report on it.
  const acp = await m2m(
    inCse.url,
    '/cse-in',
    'CAdmin',
    'POST',
    {
      'm2m:acp': {
        rn: 'acpNode',
        pv: {
          acr: [
            // RETRIEVE and UPDATE (report) the configuration, CREATE its <subscription>s (push).
            { acor: ['/id-mn'], acop: 7 },
            { acor: ['all'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    },
    1,
  );
  expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
  const acpi = [acp.body['m2m:acp'].ri];
  expect((await m2m(inCse.url, '/cse-in', 'CAdmin', 'POST', { 'm2m:cnt': { rn: 'data', acpi } }, 3)).rsc).toBe(2001);
  const node = await m2m(
    inCse.url,
    '/cse-in',
    'CAdmin',
    'POST',
    {
      'm2m:nod': { rn: 'node-mn', ni: 'urn:dev:ops:m2msec-mn-0001', acpi },
    },
    14,
  );
  expect(node.rsc, JSON.stringify(node.body)).toBe(2001);

  device = new DeviceSecurityConfig({
    sender: new HttpRequestSender({ httpsAgent: switchable.agent }),
    poa: registrarUrl,
    originator: '/id-mn',
    hostingCseId: '/id-in',
    node: '/id-in/cse-in/node-mn',
    credential,
    agent: switchable,
    resolve: { 'mef.m2msec.org': '127.0.0.1', 'maf.m2msec.org': '127.0.0.1' },
    symmetricKeys: (id) => provisioned.get(id),
    registrarId: '//m2msec.org/id-in',
  });
  // The MN's AE, registered before anything changes.
  const ae = await m2m(
    mnUrl,
    '/cse-mn',
    'Cmeter',
    'POST',
    { 'm2m:ae': { rn: 'meter', api: 'Nmeter', rr: false, srv: ['3'] } },
    2,
  );
  expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
}, 180_000);

afterAll(async () => {
  device?.stop();
  await mn?.stop();
  switchable?.agent.destroy();
  mnHttp?.close();
  await inCse?.stop();
  await mefServer?.close();
  await mefStore?.close();
  await maf?.close();
  await rogueMaf?.close();
  await rogueMef?.close();
  for (const st of extraStores) await st.close();
  await se?.close();
});

/** The AE's requests: one the MN-CSE answers, one it forwards to the IN-CSE over its association. */
async function aeIsServed(url = mnUrl, base = '/cse-mn', ae = 'Cmeter'): Promise<void> {
  const local = await m2m(url, `${base}/meter`, ae, 'GET');
  expect(local.rsc, JSON.stringify(local.body)).toBe(2000);
  const remote = await m2m(url, '/~/id-in/cse-in/data', ae, 'GET');
  expect(remote.rsc, JSON.stringify(remote.body)).toBe(2000);
}

describe('certificate replaced through myCertFileCred (issue 17 must-show)', () => {
  it('the MN-CSE enrols at the MEF, switches its association, keeps serving its AE; the old certificate is refused after its revocation', async () => {
    await aeIsServed();
    expect(await mccWith(mnOriginal.cert, mnOriginal.key)).toBe('accepted');
    const oldFingerprint = certificateFingerprint(mnOriginal.cert);

    // The administrator: where the MEF is, and "get a new certificate from it".
    const mef = await m2m(
      inCse.url,
      '/cse-in/node-mn',
      'CAdmin',
      'POST',
      {
        'm2m:mefcr': {
          rn: 'mef',
          mgd: 1026,
          fqdn: 'mef.m2msec.org',
          adfq: 'm2msec.org',
          hpt: estPort,
          acpi: await nodeAcpi(),
        },
      },
      13,
    );
    expect(mef.rsc, JSON.stringify(mef.body)).toBe(2001);
    const cred = await m2m(
      inCse.url,
      '/cse-in/node-mn',
      'CAdmin',
      'POST',
      {
        'm2m:mcfc': { rn: 'cert', mgd: 1023, mecr: mef.body['m2m:mefcr'].ri, acpi: await nodeAcpi() },
      },
      13,
    );
    expect(cred.rsc, JSON.stringify(cred.body)).toBe(2001);
    expect(cred.body['m2m:mcfc'].apst).toBe(1);

    // The device notices (one polling round), enrols, switches, reports.
    const applied = await device.poll();
    expect(applied.map((a) => [a.root, a.status, a.result])).toEqual([
      [
        'm2m:mefcr',
        2,
        expect.stringContaining('MEF Client Registration (TS-0003 8.3.5.2.3) at https://mef.m2msec.org'),
      ],
      ['m2m:mcfc', 2, expect.stringContaining('association switched')],
    ]);
    const status = await m2m(inCse.url, '/cse-in/node-mn/cert', 'CAdmin', 'GET');
    const mo = status.body['m2m:mcfc'];
    expect(mo.apst).toBe(2);
    expect(mo.apfp).toMatch(/^[0-9a-f]{64}$/);
    expect(mo.apfp).not.toBe(oldFingerprint);
    expect(mo.aprs).toContain(`superseded certificate serial ${new X509Certificate(mnOriginal.cert).serialNumber}`);
    // The new certificate is the MEF CA's, for the same name, and its key never left the node.
    const leaf = new X509Certificate(device.credential.chain);
    expect(certificateFingerprint(device.credential.chain)).toBe(mo.apfp);
    expect(leaf.checkIssued(new X509Certificate(estCaPem))).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:id-mn.id-in.m2msec.org');
    expect(JSON.stringify(status.body)).not.toMatch(/PRIVATE KEY/);
    await aeIsServed();

    // The administrator revokes the superseded certificate; the IN-CSE re-reads the CRL.
    ca.revoke(mnOriginal.certPath);
    ca.crl();
    await until(
      'the old certificate refused',
      async () => (await mccWith(mnOriginal.cert, mnOriginal.key)) === 'refused',
    );
    // The MN-CSE, on its new certificate, still serves its AE (forwarding to the IN-CSE included).
    await aeIsServed();
    expect(mn.registration.state).toBe('registered');
  }, 180_000);

  it('a certificate for a key the node does not hold is refused on the node and reported failed; the association is kept', async () => {
    const other = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
    const before = device.credential.chain;
    const r = await m2m(
      inCse.url,
      '/cse-in/node-mn',
      'CAdmin',
      'POST',
      {
        'm2m:mcfc': { rn: 'foreign', mgd: 1023, mcfct: other.cert, acpi: await nodeAcpi() },
      },
      13,
    );
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    const applied = await device.poll();
    expect(applied).toEqual([
      expect.objectContaining({
        root: 'm2m:mcfc',
        status: 3,
        result: expect.stringContaining("not a certificate for this node's private key"),
      }),
    ]);
    expect((await m2m(inCse.url, '/cse-in/node-mn/foreign', 'CAdmin', 'GET')).body['m2m:mcfc'].apst).toBe(3);
    expect(device.credential.chain).toBe(before);
    await aeIsServed();
  }, 120_000);

  it('a certificate the registrar does not accept (its CA untrusted) is rolled back: failed, association kept', async () => {
    // A certificate for the node's current key, from a CA the IN-CSE does not trust.
    const rogue = new TestCa('dcfg-rogue');
    const keyPath = join(dir, 'current.key');
    writeFileSync(keyPath, device.credential.key, { mode: 0o600 });
    const csr = execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', '/CN=rogue']);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:id-mn.id-in.m2msec.org\nextendedKeyUsage=clientAuth\n');
    const certPem = execFileSync(
      'openssl',
      ['x509', '-req', '-CA', rogue.certPath, '-CAkey', rogue.keyPath, '-days', '1', '-extfile', join(dir, 'ext.cnf')],
      { input: csr },
    ).toString();
    const before = device.credential.chain;
    const r = await m2m(
      inCse.url,
      '/cse-in/node-mn',
      'CAdmin',
      'POST',
      {
        'm2m:mcfc': { rn: 'rogue', mgd: 1023, mcfct: certPem, acpi: await nodeAcpi() },
      },
      13,
    );
    expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
    const applied = await device.poll();
    expect(applied).toEqual([
      expect.objectContaining({ status: 3, result: expect.stringContaining('the previous one is kept') }),
    ]);
    expect(device.credential.chain).toBe(before);
    expect((await m2m(inCse.url, '/cse-in/node-mn/rogue', 'CAdmin', 'GET')).body['m2m:mcfc'].apst).toBe(3);
    await aeIsServed();
    expect(readFileSync(keyPath, 'utf8')).toContain('PRIVATE KEY');
  }, 120_000);
});

const port = (url: string | undefined) => Number(new URL(url!).port);

/** The free connections of the MN-CSE's Mcc agent, by the registrar port they go to. */
const mccPorts = () =>
  Object.values((switchable.agent as unknown as { freeSockets: Record<string, Socket[]> }).freeSockets)
    .flat()
    .map((s) => s.remotePort);

/** Creates a security <mgmtObj> under the MN's <node> as the administrator; returns its resource ID. */
async function configure(root: string, attrs: Record<string, unknown>): Promise<string> {
  const r = await m2m(
    inCse.url,
    '/cse-in/node-mn',
    'CAdmin',
    'POST',
    { [root]: { ...attrs, acpi: await nodeAcpi() } },
    13,
  );
  expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
  return r.body[root].ri;
}

async function statusOf(rn: string, root: string): Promise<Record<string, unknown>> {
  return (await m2m(inCse.url, `/cse-in/node-mn/${rn}`, 'CAdmin', 'GET')).body[root];
}

describe('MAFClientRegCfg / MEFClientRegCfg applied by the node (TS-0003 8.8.2.3, 8.3.5.2.3)', () => {
  it('the node registers at the MAF and at the MEF with its certificate and reports the registrations', async () => {
    await configure('m2m:mafcr', {
      rn: 'maf',
      mgd: 1025,
      fqdn: 'maf.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(maf.urls.certificate),
      lbl: ['site-a'],
    });
    const applied = await device.poll();
    expect(applied.map((a) => [a.root, a.status])).toEqual([['m2m:mafcr', 2]]);
    const reg = device.registrations.get(applied[0]!.ri)!;
    // The node's (the IN-CSE has its own, as Entity B of the MAF-based SAEF).
    const regs = (await maf.store.clientRegs.list())
      .map(({ value }) => value)
      .filter((v) => v.clientId !== '//m2msec.org/id-in');
    expect(regs).toEqual([
      expect.objectContaining({
        mafClientRegID: reg.regId,
        clientId: '//m2msec.org/id-mn',
        adminFQDN: 'm2msec.org',
        lbl: ['site-a'],
      }),
    ]);
    const mo = await statusOf('maf', 'm2m:mafcr');
    expect(mo.apst).toBe(2);
    expect(mo.aprs).toBe(
      `MAF Client Registration (TS-0003 8.8.2.3) at https://maf.m2msec.org:${port(maf.urls.certificate)} with ` +
        `the node's certificate: registration ${reg.regId}, client //m2msec.org/id-mn, until ${reg.expirationTime}`,
    );
    // The MEF Client Registration of the first test was made on the node's certificate too.
    expect((await mefServer.store.clientRegs.list()).map(({ value }) => value.adminFQDN)).toEqual(['m2msec.org']);
    await aeIsServed();
  }, 120_000);

  it('attack: a MAFClientRegCfg / MEFClientRegCfg pointing at a server whose certificate the node does not trust is refused and reported; that server gets nothing', async () => {
    await configure('m2m:mafcr', {
      rn: 'rogue-maf',
      mgd: 1025,
      fqdn: 'maf.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(rogueMaf.urls.certificate),
    });
    await configure('m2m:mefcr', {
      rn: 'rogue-mef',
      mgd: 1026,
      fqdn: 'mef.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(rogueMef.urls.certificate),
    });
    const applied = await device.poll();
    expect(applied.map((a) => [a.root, a.status])).toEqual([
      ['m2m:mefcr', 3],
      ['m2m:mafcr', 3],
    ]);
    for (const [rn, root, fn, url] of [
      ['rogue-maf', 'm2m:mafcr', 'MAF', rogueMaf.urls.certificate],
      ['rogue-mef', 'm2m:mefcr', 'MEF', rogueMef.urls.certificate],
    ] as const) {
      const mo = await statusOf(rn, root);
      expect(mo.apst).toBe(3);
      expect(mo.aprs).toMatch(
        new RegExp(
          `^the ${fn} at ${fn.toLowerCase()}\\.m2msec\\.org:${port(url)} was not authenticated: its certificate is not vouched for by this node's trust anchors for ${fn.toLowerCase()}\\.m2msec\\.org \\([A-Z_]+\\); not registered$`,
        ),
      );
    }
    // The impostors learnt no registration (the node's TLS stopped at their certificate).
    expect(await rogueMaf.store.clientRegs.list()).toEqual([]);
    expect(await rogueMef.store.clientRegs.list()).toEqual([]);
    await aeIsServed();
  }, 120_000);

  it('a profile naming a key provisioned on the node: the MAF Handshake uses it and the association moves to the Kc registered for the registrar (SUID 32); a key the node does not hold is reported, never fetched', async () => {
    // SUID 32 (MAF-distributed key, SAEF) with the node's Km: MAF Client Registration over TLS-PSK with that Km,
    // MAF Key Registration for the registrar, then the association on Kc.
    const macr = await configure('m2m:mafcr', {
      rn: 'maf-km',
      mgd: 1025,
      fqdn: 'maf.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(maf.urls.psk),
    });
    await configure('m2m:aupf', {
      rn: 'profile-maf',
      mgd: 1022,
      suid: 32,
      tlscs: [0xa8],
      krd: 600,
      macr,
      skid: 'km-mn-0001@maf.m2msec.org',
    });
    const applied = await device.poll();
    expect(applied.map((a) => [a.root, a.status])).toEqual([
      ['m2m:mafcr', 2],
      ['m2m:aupf', expect.any(Number)],
    ]);
    expect((await statusOf('maf-km', 'm2m:mafcr')).aprs).toContain(
      "with the provisioned key 'km-mn-0001@maf.m2msec.org'",
    );
    // The key the node registered is at the MAF, for the registrar.
    const keys = (await maf.store.keyRegs.list()).map(({ value }) => value);
    expect(keys).toEqual([expect.objectContaining({ suid: 32, targetIDs: ['//m2msec.org/id-in'] })]);
    const profile = await statusOf('profile-maf', 'm2m:aupf');
    // The IN-CSE is Entity B: it retrieves Kc from the MAF, and the node's association is now on Kc.
    expect([profile.apst, profile.aprs]).toEqual([
      2,
      expect.stringMatching(
        /^SUID 32: key [0-9a-f]{32}@maf\.m2msec\.org registered at the MAF for \/\/m2msec\.org\/id-in; association switched to it$/,
      ),
    ]);
    expect(switchable.framework.kind).toBe('maf');
    // The MN-CSE goes on serving its AE, forwarding over the MAF-based association (the PSK listener).
    await aeIsServed();
    expect(new Set(mccPorts())).toEqual(new Set([inPskPort]));

    // A profile naming a key that is not on the node: the MAF Client Registration is not attempted.
    const macr2 = await configure('m2m:mafcr', {
      rn: 'maf-nokey',
      mgd: 1025,
      fqdn: 'maf.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(maf.urls.psk),
    });
    await configure('m2m:aupf', {
      rn: 'profile-nokey',
      mgd: 1022,
      suid: 32,
      tlscs: [0xa8],
      krd: 600,
      macr: macr2,
      skid: 'km-not-here',
    });
    const before = (await maf.store.clientRegs.list()).length;
    await device.poll();
    const mo = await statusOf('maf-nokey', 'm2m:mafcr');
    expect([mo.apst, mo.aprs]).toEqual([
      3,
      expect.stringMatching(
        /^symmKeyID 'km-not-here' \(authenticationProfile .+\) is not provisioned on this node; a key never travels in a <mgmtObj>$/,
      ),
    ]);
    expect((await maf.store.clientRegs.list()).length).toBe(before);
    const p2 = await statusOf('profile-nokey', 'm2m:aupf');
    expect([p2.apst, p2.aprs]).toEqual([3, expect.stringContaining('the node holds no MAF Client Registration')]);
  }, 120_000);
});

describe('authenticationProfile with a pre-provisioned symmetric key (SUID 12)', () => {
  const fingerprintNow = () => certificateFingerprint(device.credential.chain);

  it('a key the node and the registrar hold: the node switches its association to it, its AE goes on being served, the result is on the <mgmtObj>', async () => {
    await aeIsServed();
    await configure('m2m:aupf', { rn: 'profile-psk', mgd: 1022, suid: 12, tlscs: [0xa8], skid: KPSA_ID });
    const applied = await device.poll();
    const result = `SUID 12: association switched to the provisioned symmetric key '${KPSA_ID}'`;
    expect(applied.map((a) => [a.root, a.status, a.result])).toEqual([['m2m:aupf', 2, result]]);
    const mo = await statusOf('profile-psk', 'm2m:aupf');
    expect([mo.apst, mo.aprs, mo.cfgv]).toEqual([2, result, 1]);
    expect(switchable.framework).toMatchObject({ kind: 'psk', identity: KPSA_ID });
    // The MN-CSE goes on: its AE is served locally and forwarded to the IN-CSE, now over TLS-PSK (the
    // agent's connections go to the IN-CSE's PSK listener, none to its certificate listener).
    await aeIsServed();
    expect(mccPorts().length).toBeGreaterThan(0);
    expect(new Set(mccPorts())).toEqual(new Set([inPskPort]));
  }, 120_000);

  it('attack: a profile naming a key the node does not hold is failed and never fetched; one the registrar does not know is rolled back; the PSK association stays', async () => {
    expect(switchable.framework).toMatchObject({ kind: 'psk', identity: KPSA_ID });
    await configure('m2m:aupf', { rn: 'profile-psk-missing', mgd: 1022, suid: 12, tlscs: [0xa8], skid: 'kpsa-gone' });
    expect((await device.poll()).map((a) => [a.status, a.result])).toEqual([
      [3, "SUID 12: symmKeyID 'kpsa-gone' is not provisioned on this node; a key never travels in a <mgmtObj>"],
    ]);
    expect(switchable.framework).toMatchObject({ kind: 'psk', identity: KPSA_ID });
    await aeIsServed();
    // A key on the node that the registrar never provisioned: the handshake fails, the node goes back.
    provisioned.set('kpsa-unknown@m2msec.org', Buffer.from(randomBytes(32)));
    await configure('m2m:aupf', {
      rn: 'profile-psk-unknown',
      mgd: 1022,
      suid: 12,
      tlscs: [0xa8],
      skid: 'kpsa-unknown@m2msec.org',
    });
    const [rolledBack] = await device.poll();
    expect([rolledBack?.status, rolledBack?.result]).toEqual([
      3,
      expect.stringMatching(/^the registrar did not accept the new credential \(.+\); the previous one is kept$/),
    ]);
    expect((await statusOf('profile-psk-unknown', 'm2m:aupf')).apst).toBe(3);
    expect(switchable.framework).toMatchObject({ kind: 'psk', identity: KPSA_ID });
    await aeIsServed();
    expect(new Set(mccPorts())).toEqual(new Set([inPskPort]));
  }, 120_000);

  it('a certificate profile (SUID 42) naming the certificate it holds brings the node back to its certificate', async () => {
    await configure('m2m:aupf', { rn: 'profile-cert', mgd: 1022, suid: 42, tlscs: [0xc02b], mcfp: fingerprintNow() });
    expect((await device.poll()).map((a) => [a.status, a.result])).toEqual([
      [2, 'profile in use: certificate and trust anchors match'],
    ]);
    expect(switchable.framework.kind).toBe('certificate');
    await aeIsServed();
    expect(new Set(mccPorts())).toEqual(new Set([inMccPort]));
  }, 120_000);
});

describe('authenticationProfile SUIDs 11, 13 (a held key, TS-0003 8.3.9.9.3) and the precise refusals', () => {
  it('a held pre-provisioned key for the MAF (11) or ESPrim (13) is applied without a switch; a missing one is failed; 21-23, 31, 33 say why they are not applied', async () => {
    provisioned.set('esprim-mn-0001', Buffer.from(randomBytes(32)));
    const mecr = await configure('m2m:mefcr', {
      rn: 'mef-suid',
      mgd: 1026,
      fqdn: 'mef.m2msec.org',
      adfq: 'm2msec.org',
      hpt: estPort,
    });
    const macr = await configure('m2m:mafcr', {
      rn: 'maf-suid',
      mgd: 1025,
      fqdn: 'maf.m2msec.org',
      adfq: 'm2msec.org',
      hpt: port(maf.urls.certificate),
    });
    const profiles: Array<[string, Record<string, unknown>]> = [
      ['s11', { suid: 11, skid: 'km-mn-0001@maf.m2msec.org' }],
      ['s13', { suid: 13, skid: 'esprim-mn-0001' }],
      ['s13-missing', { suid: 13, skid: 'esprim-gone' }],
      ['s21', { suid: 21, krd: 600, mecr }],
      ['s22', { suid: 22, krd: 600, mecr }],
      ['s23', { suid: 23, krd: 600, mecr }],
      ['s31', { suid: 31, krd: 600, macr }],
      ['s33', { suid: 33, krd: 600, macr }],
    ];
    for (const [rn, attrs] of profiles) await configure('m2m:aupf', { rn, mgd: 1022, tlscs: [0xa8], ...attrs });
    const framework = switchable.framework;
    await device.poll();
    const rsp = (suid: number) =>
      `SUID ${suid}: not applied by this node: an RSPF-provisioned key needs MEF Key Registration ` +
      '(TS-0003 8.3.9.9.4, 8.3.5.2.7) with the key taken from the MEF Handshake session, which this node does ' +
      'not run (it registers at the MEF and enrols certificates there: use SUID 42 with a myCertFileCred ' +
      'linking the MEFClientRegCfg)';
    const outcomes = await Promise.all(
      profiles.map(async ([rn]) => {
        const mo = await statusOf(rn, 'm2m:aupf');
        return [rn, mo.apst, mo.aprs];
      }),
    );
    expect(outcomes).toEqual([
      [
        's11',
        2,
        "SUID 11: the pre-provisioned key 'km-mn-0001@maf.m2msec.org' is held on this node (TS-0003 8.3.9.9.3), for MAF Handshakes",
      ],
      [
        's13',
        2,
        "SUID 13: the pre-provisioned key 'esprim-mn-0001' is held on this node (TS-0003 8.3.9.9.3), for ESPrim",
      ],
      [
        's13-missing',
        3,
        "SUID 13: symmKeyID 'esprim-gone' is not provisioned on this node (TS-0003 8.3.9.9.3: no local copy); a key never travels in a <mgmtObj>",
      ],
      ['s21', 3, rsp(21)],
      ['s22', 3, rsp(22)],
      ['s23', 3, rsp(23)],
      [
        's31',
        3,
        'SUID 31: not applied: TS-0004 Table 6.3.4.2.39-1 defines no SUID 31 (a MAF-distributed key is for a SAEF, ESPrim or ESData, 32-35, never the key shared with the MAF itself, 11 / 21 / 41)',
      ],
      [
        's33',
        3,
        "SUID 33: not applied by this node: a MAF-distributed ESPrim key is registered for a Target CSE that a [dataCollection] parent names (TS-0003 8.3.9.9.5), and this node's <mgmtObj>s have no such parent; the AE program registers its SUID 33 keys itself (endToEnd.esprim.maf, docs/end-to-end-security.md)",
      ],
    ]);
    // None of them touched the association.
    expect(switchable.framework).toBe(framework);
    await aeIsServed();
  }, 120_000);
});

describe('push by <subscription>, and a late report of a superseded configuration (issue 17 items 2, 5)', () => {
  it('a change applies on the notification of its <subscription>: no poll timer runs in this file', async () => {
    expect(await device.listenForNotifications({ port: notifyPort })).toBe(`http://127.0.0.1:${notifyPort}/`);
    const rounds = { ...device.rounds };
    const received = device.notifications;
    // A trust anchor the node holds: applied as soon as the node hears of it.
    await configure('m2m:tac', {
      rn: 'ta-push',
      mgd: 1024,
      cfp: certificateFingerprint(ca.cert),
      turi: 'https://mef.m2msec.org/operator-ca.pem',
    });
    await until('the new <mgmtObj> applied', async () => (await statusOf('ta-push', 'm2m:tac')).apst === 2);
    // The round came from a notification: the node never started its timer, and nobody called poll().
    expect(device.notifications).toBeGreaterThan(received);
    expect(device.rounds.notification).toBeGreaterThan(rounds.notification);
    expect([device.rounds.timer, device.rounds.manual]).toEqual([0, rounds.manual]);
    // An UPDATE of the <mgmtObj> notifies too (the node subscribed to it at that round).
    const change = await m2m(inCse.url, '/cse-in/node-mn/ta-push', 'CAdmin', 'PUT', {
      'm2m:tac': { turi: 'https://mef.m2msec.org/operator-ca-2.pem' },
    });
    expect(change.body['m2m:tac']).toMatchObject({ apst: 1, cfgv: 2 });
    await until('the change applied', async () => {
      const mo = await statusOf('ta-push', 'm2m:tac');
      return mo.apst === 2 && mo.cfgv === 2;
    });
    expect([device.rounds.timer, device.rounds.manual]).toEqual([0, rounds.manual]);
  }, 120_000);

  it('a report of version 1 arriving after the administrator wrote version 2 is refused; version 2 is applied next', async () => {
    const anchor = new TestCa('dcfg-race');
    const served: string[] = [];
    // The trust anchor server: while the node fetches version 1, the administrator writes version 2.
    const server = createHttpsServer({ cert: mefCert.cert, key: mefCert.key }, async (req, res) => {
      served.push(req.url ?? '');
      if (req.url === '/v1.pem') {
        const v2 = await m2m(inCse.url, '/cse-in/node-mn/ta-race', 'CAdmin', 'PUT', {
          'm2m:tac': { turi: `https://mef.m2msec.org:${(server.address() as AddressInfo).port}/v2.pem` },
        });
        expect(v2.body['m2m:tac']).toMatchObject({ cfgv: 2, apst: 1 });
      }
      res.end(anchor.cert);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const superseded = device.superseded;
      await configure('m2m:tac', {
        rn: 'ta-race',
        mgd: 1024,
        cfp: certificateFingerprint(anchor.cert),
        turi: `https://mef.m2msec.org:${(server.address() as AddressInfo).port}/v1.pem`,
      });
      await until('version 2 applied', async () => {
        const mo = await statusOf('ta-race', 'm2m:tac');
        return mo.apst === 2 && mo.cfgv === 2;
      });
      const mo = await statusOf('ta-race', 'm2m:tac');
      // Version 1's report ("fetched and installed") was refused; the status is version 2's own.
      expect(device.superseded).toBe(superseded + 1);
      expect(mo.aprs).toBe('trust anchor already held');
      expect(mo.turi).toMatch(/\/v2\.pem$/);
      expect(served).toEqual(['/v1.pem']);
    } finally {
      server.close();
    }
  }, 120_000);
});

describe('self-revocation of the superseded certificate (issue 17 item 3)', () => {
  it('after a re-enrolment the node has the MEF revoke its previous certificate over the new association; the old one is refused afterwards', async () => {
    const previous = { chain: device.credential.chain, key: device.credential.key };
    const previousSerial = new X509Certificate(previous.chain).serialNumber;
    // The node's current certificate is the MEF CA's (the first test): a renewal, so the MEF can revoke it.
    expect(new X509Certificate(previous.chain).checkIssued(new X509Certificate(estCaPem))).toBe(true);
    expect(await mccWith(previous.chain, previous.key)).toBe('accepted');
    const mecr = (await statusOf('mef', 'm2m:mefcr')).ri as string;
    await configure('m2m:mcfc', { rn: 'cert-renew', mgd: 1023, mecr });
    const applied = await device.poll();
    const renewed = applied.find((a) => a.root === 'm2m:mcfc')!;
    expect([renewed.status, renewed.result]).toEqual([
      2,
      expect.stringContaining(`superseded certificate serial ${previousSerial} revoked at the MEF (fullcmc)`),
    ]);
    expect(new X509Certificate(device.credential.chain).serialNumber).not.toBe(previousSerial);
    // At the MEF: revoked, by the node's own request.
    const listed = await fetch(`${mefServer.urls.admin}/admin/certificates`, {
      headers: { authorization: `Bearer ${MEF_TOKEN}` },
    }).then((r) => r.json() as Promise<Array<{ serialNumber: string; revokedAt?: number; reason?: string }>>);
    expect(listed.find((c) => c.serialNumber === canonicalSerial(previousSerial))).toMatchObject({
      reason: 'superseded',
      revokedAt: expect.any(Number),
    });
    // The MEF's CRL reaches the IN-CSE (its CRL file, re-read each second): the old certificate is refused.
    writeFileSync(
      join(dir, 'mef-ca.crl'),
      `-----BEGIN X509 CRL-----\n${Buffer.from(mefServer.crl!.current!.der)
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .replace(/\n$/, '')}\n-----END X509 CRL-----\n`,
    );
    await until('the old certificate refused', async () => (await mccWith(previous.chain, previous.key)) === 'refused');
    expect(await mccWith(device.credential.chain, device.credential.key)).toBe('accepted');
    await aeIsServed();
  }, 120_000);
});

describe('the MN-CSE process (apps/mn-cse) with deviceConfig', () => {
  let proc: ChildProcess | undefined;
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc!.once('exit', r));
    }
  });

  async function startMn(configPath: string, dataDir: string, url: string): Promise<ChildProcess> {
    const p = spawn(process.execPath, [mnCseMain], {
      env: { ...process.env, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    await until('the MN-CSE process registered', async () => {
      if (p.exitCode !== null) throw new Error(`mn-cse exited: ${out}`);
      const r = await fetch(`${url}/.well-known/m2msec/status`, { signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
      return (
        r?.ok === true && ((await r.json()) as { registration: { state: string } }).registration.state === 'registered'
      );
    });
    return p;
  }

  it('re-enrols on its own, keeps serving, persists the new credential: after a restart it registers with it while the old one is revoked', async () => {
    const original = ca.issue({ san: 'DNS:id-mn2.id-in.m2msec.org', usage: 'client' });
    const files = join(dir, 'mn2');
    mkdirSync(files);
    const certPath = join(files, 'mn.pem');
    const keyPath = join(files, 'mn.key');
    writeFileSync(certPath, original.cert);
    writeFileSync(keyPath, original.key, { mode: 0o600 });
    const acp = await m2m(
      inCse.url,
      '/cse-in',
      'CAdmin',
      'POST',
      {
        'm2m:acp': {
          rn: 'acpNode2',
          pv: { acr: [{ acor: ['/id-mn2'], acop: 6 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
      1,
    );
    const acpi = [acp.body['m2m:acp'].ri];
    expect(
      (
        await m2m(
          inCse.url,
          '/cse-in',
          'CAdmin',
          'POST',
          { 'm2m:nod': { rn: 'node-mn2', ni: 'urn:dev:ops:mn2', acpi } },
          14,
        )
      ).rsc,
    ).toBe(2001);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configPath = join(files, 'mn.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        profile: 'development',
        cse: { cseId: '/id-mn2', cseBaseName: 'cse-mn2', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
        http: { host: '127.0.0.1', port, maxBodyBytes: 1048576 },
        registrar: {
          cseId: '/id-in',
          cseBaseName: 'cse-in',
          url: `https://127.0.0.1:${inMccPort}`,
          retryMs: 200,
          refreshMs: 30_000,
          certificate: { cert: certPath, key: keyPath, trustAnchors: [ca.certPath], servername: 'id-in.m2msec.org' },
        },
        registration: { appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
        deviceConfig: { node: '/id-in/cse-in/node-mn2', pollSeconds: 1, hosts: { 'mef.m2msec.org': '127.0.0.1' } },
        log: { level: 'warn' },
      }),
    );
    const dataDir = join(files, 'data');
    proc = await startMn(configPath, dataDir, url);
    const ae = await m2m(
      url,
      '/cse-mn2',
      'Cmeter2',
      'POST',
      { 'm2m:ae': { rn: 'meter', api: 'Nmeter', rr: false, srv: ['3'] } },
      2,
    );
    expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
    await aeIsServed(url, '/cse-mn2', 'Cmeter2');

    const mef = await m2m(
      inCse.url,
      '/cse-in/node-mn2',
      'CAdmin',
      'POST',
      {
        'm2m:mefcr': { rn: 'mef', mgd: 1026, fqdn: 'mef.m2msec.org', adfq: 'm2msec.org', hpt: estPort, acpi },
      },
      13,
    );
    expect(mef.rsc, JSON.stringify(mef.body)).toBe(2001);
    const cred = await m2m(
      inCse.url,
      '/cse-in/node-mn2',
      'CAdmin',
      'POST',
      {
        'm2m:mcfc': { rn: 'cert', mgd: 1023, mecr: mef.body['m2m:mefcr'].ri, acpi },
      },
      13,
    );
    expect(cred.rsc, JSON.stringify(cred.body)).toBe(2001);
    // The process notices on its own (polling every second) and reports.
    let mo: Record<string, unknown> = {};
    await until('the MN-CSE process reports the new certificate', async () => {
      mo = (await m2m(inCse.url, '/cse-in/node-mn2/cert', 'CAdmin', 'GET')).body['m2m:mcfc'];
      return mo.apst !== 1;
    });
    expect(mo.apst, String(mo.aprs)).toBe(2);
    await aeIsServed(url, '/cse-mn2', 'Cmeter2');
    // The configured files now hold the new credential (key 0600), the certificate the one reported.
    expect(certificateFingerprint(readFileSync(certPath, 'utf8'))).toBe(mo.apfp);
    expect(readFileSync(keyPath, 'utf8')).not.toBe(original.key);
    expect(statSync(keyPath).mode & 0o077).toBe(0);

    ca.revoke(original.certPath);
    ca.crl();
    await until('the old certificate refused', async () => (await mccWith(original.cert, original.key)) === 'refused');
    await aeIsServed(url, '/cse-mn2', 'Cmeter2');
    // A restart reads the persisted credential: it registers although the original certificate is revoked.
    proc.kill('SIGTERM');
    await new Promise((r) => proc!.once('exit', r));
    proc = await startMn(configPath, dataDir, url);
    await aeIsServed(url, '/cse-mn2', 'Cmeter2');
  }, 240_000);
});

describe('the AE process (apps/ae) with deviceConfig', () => {
  it('re-enrols its AE-ID certificate, goes on being served, and its old certificate is refused after revocation', async () => {
    const original = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Caedev', usage: 'client' });
    const files = join(dir, 'ae');
    mkdirSync(files);
    const certPath = join(files, 'ae.pem');
    const keyPath = join(files, 'ae.key');
    writeFileSync(certPath, original.cert);
    writeFileSync(keyPath, original.key, { mode: 0o600 });
    const acp = await m2m(
      inCse.url,
      '/cse-in',
      'CAdmin',
      'POST',
      {
        'm2m:acp': {
          rn: 'acpNodeAe',
          pv: { acr: [{ acor: ['/id-in/Caedev'], acop: 6 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
      1,
    );
    const acpi = [acp.body['m2m:acp'].ri];
    expect(
      (
        await m2m(
          inCse.url,
          '/cse-in',
          'CAdmin',
          'POST',
          { 'm2m:nod': { rn: 'node-ae', ni: 'urn:dev:ops:ae', acpi } },
          14,
        )
      ).rsc,
    ).toBe(2001);
    const configPath = join(files, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: {
          kind: 'http',
          url: `https://127.0.0.1:${inMccPort}`,
          certificate: { cert: certPath, key: keyPath, trustAnchors: [ca.certPath], servername: 'id-in.m2msec.org' },
        },
        appId: 'Nsensor',
        stem: 'Caedev',
        deviceConfig: {
          node: '/id-in/cse-in/node-ae',
          hostingCseId: '/id-in',
          pollSeconds: 1,
          hosts: { 'mef.m2msec.org': '127.0.0.1' },
        },
      }),
    );
    const ae = spawn(process.execPath, [aeMain, 'run', '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    ae.stdout!.on('data', (d) => (stdout += d));
    ae.stderr!.on('data', (d) => (stderr += d));
    const events = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>);
    let n = 0;
    const request = async (to: string) => {
      const id = ++n;
      ae.stdin!.write(`${JSON.stringify({ id, op: 2, to })}\n`);
      let e: Record<string, any> | undefined;
      await until(`AE response ${id}`, () => {
        if (ae.exitCode !== null) throw new Error(`ae exited: ${stderr}`);
        e = events().find((x) => x.event === 'response' && x.id === id);
        return !!e;
      });
      return e!;
    };
    try {
      await until('the AE registered', () => {
        if (ae.exitCode !== null) throw new Error(`ae exited: ${stderr}${stdout}`);
        return events().some((e) => e.event === 'ready');
      });
      expect(events().find((e) => e.event === 'ready')?.aeId).toBe('/id-in/Caedev');
      expect((await request('/id-in/cse-in/data')).rsc).toBe(2000);
      const mef = await m2m(
        inCse.url,
        '/cse-in/node-ae',
        'CAdmin',
        'POST',
        {
          'm2m:mefcr': { rn: 'mef', mgd: 1026, fqdn: 'mef.m2msec.org', adfq: 'm2msec.org', hpt: estPort, acpi },
        },
        13,
      );
      expect(mef.rsc, JSON.stringify(mef.body)).toBe(2001);
      const cred = await m2m(
        inCse.url,
        '/cse-in/node-ae',
        'CAdmin',
        'POST',
        {
          'm2m:mcfc': { rn: 'cert', mgd: 1023, mecr: mef.body['m2m:mefcr'].ri, acpi },
        },
        13,
      );
      expect(cred.rsc, JSON.stringify(cred.body)).toBe(2001);
      let mo: Record<string, unknown> = {};
      await until('the AE reports the new certificate', async () => {
        mo = (await m2m(inCse.url, '/cse-in/node-ae/cert', 'CAdmin', 'GET')).body['m2m:mcfc'];
        return mo.apst !== 1;
      });
      expect(mo.apst, String(mo.aprs)).toBe(2);
      expect(certificateFingerprint(readFileSync(certPath, 'utf8'))).toBe(mo.apfp);
      expect(new X509Certificate(readFileSync(certPath, 'utf8')).subjectAltName).toBe(
        'URI:m2m://m2msec.org/id-in/Caedev',
      );
      expect((await request('/id-in/cse-in/data')).rsc).toBe(2000);
      ca.revoke(original.certPath);
      ca.crl();
      await until(
        'the old AE certificate refused',
        async () => (await mccWith(original.cert, original.key)) === 'refused',
      );
      expect((await request('/id-in/cse-in/data')).rsc).toBe(2000);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; AE said: ${events()
          .filter((x) => x.event === 'device-config')
          .map((x) => JSON.stringify(x))
          .slice(-3)
          .join(' ')}`,
      );
    } finally {
      if (ae.exitCode === null) {
        ae.kill('SIGTERM');
        await new Promise((r) => ae.once('exit', r));
      }
    }
  }, 240_000);
});

describe('push in the programs: apps/mn-cse and apps/ae with deviceConfig.push (issue 17 item 1)', () => {
  /** A <node> whose security <mgmtObj>s `originator` may read, report on and subscribe to (acop 7). */
  async function nodeFor(rn: string, originator: string): Promise<string[]> {
    const acp = await m2m(
      inCse.url,
      '/cse-in',
      'CAdmin',
      'POST',
      {
        'm2m:acp': {
          rn: `acp-${rn}`,
          pv: { acr: [{ acor: [originator], acop: 7 }] },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
      1,
    );
    expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
    const acpi = [acp.body['m2m:acp'].ri];
    const node = await m2m(
      inCse.url,
      '/cse-in',
      'CAdmin',
      'POST',
      { 'm2m:nod': { rn, ni: `urn:dev:ops:${rn}`, acpi } },
      14,
    );
    expect(node.rsc, JSON.stringify(node.body)).toBe(2001);
    return acpi;
  }

  /**
   * The program watches by push (its poll timer set to an hour, so it cannot have fired here); a new
   * trustAnchorCred and then a change of it are applied, and the program's own log says each round that
   * applied them was started by a notification.
   */
  async function appliedByNotification(rn: string, acpi: string[], records: () => Array<Record<string, any>>) {
    const said = (r: Record<string, any>) => (r.msg ?? r.message) as string | undefined;
    await until('the program watches by push', () =>
      records().some((r) => said(r)?.startsWith('remote security configuration by ')),
    );
    expect(records().find((r) => said(r)?.startsWith('remote security configuration by '))).toMatchObject({
      channel: 'push',
      pollMs: 3_600_000,
      notificationUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    });
    const created = await m2m(
      inCse.url,
      `/cse-in/${rn}`,
      'CAdmin',
      'POST',
      {
        'm2m:tac': {
          rn: 'ta',
          mgd: 1024,
          cfp: certificateFingerprint(ca.cert),
          turi: 'https://mef.m2msec.org/ta.pem',
          acpi,
        },
      },
      13,
    );
    expect(created.rsc, JSON.stringify(created.body)).toBe(2001);
    const ri = created.body['m2m:tac'].ri as string;
    const status = async () => (await m2m(inCse.url, `/cse-in/${rn}/ta`, 'CAdmin', 'GET')).body['m2m:tac'];
    await until('the new <mgmtObj> applied', async () => (await status()).apst === 2);
    const change = await m2m(inCse.url, `/cse-in/${rn}/ta`, 'CAdmin', 'PUT', {
      'm2m:tac': { turi: 'https://mef.m2msec.org/ta-2.pem' },
    });
    expect(change.body['m2m:tac']).toMatchObject({ apst: 1, cfgv: 2 });
    await until('the change applied', async () => {
      const mo = await status();
      return mo.apst === 2 && mo.cfgv === 2;
    });
    const rounds = records().filter((r) => said(r) === 'remote security configuration' && r.mgmtObj === ri);
    expect(rounds.map((r) => [r.trigger, r.result])).toEqual([
      ['notification', 'trust anchor already held'],
      ['notification', 'trust anchor already held'],
    ]);
    expect(records().filter((r) => r.trigger === 'timer')).toEqual([]);
  }

  const jsonLines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);

  it('the MN-CSE process applies a new and a changed <mgmtObj> on their notifications, no poll timer', async () => {
    const acpi = await nodeFor('node-mn3', '/id-mn3');
    const issued = ca.issue({ san: 'DNS:id-mn3.id-in.m2msec.org', usage: 'client' });
    const files = join(dir, 'mn3');
    mkdirSync(files);
    writeFileSync(join(files, 'mn.pem'), issued.cert);
    writeFileSync(join(files, 'mn.key'), issued.key, { mode: 0o600 });
    const configPath = join(files, 'mn.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        profile: 'development',
        cse: { cseId: '/id-mn3', cseBaseName: 'cse-mn3', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
        http: { host: '127.0.0.1', port: await freePort(), maxBodyBytes: 1048576 },
        registrar: {
          cseId: '/id-in',
          cseBaseName: 'cse-in',
          url: `https://127.0.0.1:${inMccPort}`,
          retryMs: 200,
          refreshMs: 30_000,
          certificate: {
            cert: join(files, 'mn.pem'),
            key: join(files, 'mn.key'),
            trustAnchors: [ca.certPath],
            servername: 'id-in.m2msec.org',
          },
        },
        registration: { appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
        deviceConfig: {
          node: '/id-in/cse-in/node-mn3',
          pollSeconds: 3600,
          push: { port: mnPushPort, fallbackPollSeconds: 3600 },
        },
        log: { level: 'info', format: 'json' },
      }),
    );
    const p = spawn(process.execPath, [mnCseMain], {
      env: { ...process.env, M2MSEC_CONFIG: configPath, M2MSEC_DATA_DIR: join(files, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    try {
      await appliedByNotification('node-mn3', acpi, () => {
        if (p.exitCode !== null) throw new Error(`mn-cse exited: ${out}`);
        return jsonLines(out);
      });
    } finally {
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
    }
  }, 180_000);

  it('the AE process applies a new and a changed <mgmtObj> on their notifications, no poll timer', async () => {
    const acpi = await nodeFor('node-ae2', '/id-in/Caepush');
    const issued = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Caepush', usage: 'client' });
    const files = join(dir, 'ae-push');
    mkdirSync(files);
    writeFileSync(join(files, 'ae.pem'), issued.cert);
    writeFileSync(join(files, 'ae.key'), issued.key, { mode: 0o600 });
    const configPath = join(files, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: {
          kind: 'http',
          url: `https://127.0.0.1:${inMccPort}`,
          certificate: {
            cert: join(files, 'ae.pem'),
            key: join(files, 'ae.key'),
            trustAnchors: [ca.certPath],
            servername: 'id-in.m2msec.org',
          },
        },
        appId: 'Nsensor',
        stem: 'Caepush',
        deviceConfig: {
          node: '/id-in/cse-in/node-ae2',
          hostingCseId: '/id-in',
          pollSeconds: 3600,
          push: { port: aePushPort, fallbackPollSeconds: 3600 },
        },
      }),
    );
    const ae = spawn(process.execPath, [aeMain, 'run', '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    ae.stdout!.on('data', (d) => (stdout += d));
    ae.stderr!.on('data', (d) => (stderr += d));
    try {
      await appliedByNotification('node-ae2', acpi, () => {
        if (ae.exitCode !== null) throw new Error(`ae exited: ${stderr}${stdout}`);
        return jsonLines(stdout).filter((e) => e.event === 'device-config');
      });
    } finally {
      if (ae.exitCode === null) {
        ae.kill('SIGTERM');
        await new Promise((r) => ae.once('exit', r));
      }
    }
  }, 180_000);
});

async function nodeAcpi(): Promise<string[]> {
  const r = await m2m(inCse.url, '/cse-in/node-mn', 'CAdmin', 'GET');
  return r.body['m2m:nod'].acpi;
}
