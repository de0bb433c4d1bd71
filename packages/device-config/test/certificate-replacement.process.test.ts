// Issue 17 must-show: an MN-CSE whose certificate is replaced through [myCertFileCred] keeps serving its
// AEs, and the old certificate is refused afterwards. The IN-CSE is the real process (apps/in-cse, its
// certificate SAEF listener re-reading its CRL file); the MEF's EST service is @m2msec/est's server with
// its own CA; the MN-CSE is @m2msec/node's createMnCse in this process, its Mcc on a switchable agent,
// with @m2msec/device-config polling its <node> at the IN-CSE.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender, httpEdge } from '@m2msec/binding-http';
import { createCertificateAuthority, createEstServer, estRoutes, issueCrl } from '@m2msec/est';
import { createMnCse, type MnCse } from '@m2msec/node';
import { openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
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
const mnCseMain = fileURLToPath(new URL('../../../apps/mn-cse/dist/main.js', import.meta.url));
const aeMain = fileURLToPath(new URL('../../../apps/ae/dist/main.js', import.meta.url));
let dir: string;
let ca: TestCa;
let se: SecureEnvironment;
let estCaPem: string;
let est: Server;
let estPort: number;
let inCse: InCseProcess;
let inMccPort: number;
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
  // The EST server behind the shared HTTP edge, as the MEF serves it.
  const app = httpEdge(
    estRoutes(
      createEstServer({
        ca: estCa,
        authorize: (r) => {
          if (r.clientIdentity.kind !== 'certificate') return 'deny';
          const asked = r.requestedSan.map((n) => `${n.type === 'dns' ? 'DNS' : 'URI'}:${n.value}`).join(', ');
          return asked === r.clientIdentity.subjectAltNameText ? 'allow' : 'deny';
        },
      }),
    ),
    { prefix: '/.well-known/est' },
  );
  est = createHttpsServer(
    { cert: estServer.cert, key: estServer.key, ca: [ca.cert, estCaPem], requestCert: true, rejectUnauthorized: false },
    app,
  );
  await new Promise<void>((r) => est.listen(0, '127.0.0.1', r));
  estPort = (est.address() as AddressInfo).port;

  // The IN-CSE process: certificate listener trusting both CAs, the operator CA's CRL re-read on change.
  inMccPort = await freePort();
  inCse = await startInCseProcess({
    main: inCseMain,
    store: 'sqlite',
    config: {
      profile: 'development',
      cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      registration: {
        appRules: [{ name: 'aedev', applicableCredIDs: ['33-/id-in/Caedev'], allowedAppIDs: ['*'], allowedAEs: ['*'] }],
      },
      security: {
        mca: 'optional',
        administrators: [],
        derivedKey: false,
        bindings: [],
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
      log: { level: 'warn' },
    },
  });

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
  switchable = createSwitchableAgent(framework);
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
            { acor: ['/id-mn'], acop: 6 },
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
    resolve: { 'mef.m2msec.org': '127.0.0.1' },
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
  est?.close();
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
      ['m2m:mefcr', 2, expect.stringContaining('reachable')],
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
        deviceConfig: { node: '/id-in/cse-in/node-mn2', pollSeconds: 1 },
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
        'm2m:mefcr': { rn: 'mef', mgd: 1026, fqdn: '127.0.0.1', adfq: 'm2msec.org', hpt: estPort, acpi },
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
        deviceConfig: { node: '/id-in/cse-in/node-ae', hostingCseId: '/id-in', pollSeconds: 1 },
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
          'm2m:mefcr': { rn: 'mef', mgd: 1026, fqdn: '127.0.0.1', adfq: 'm2msec.org', hpt: estPort, acpi },
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

async function nodeAcpi(): Promise<string[]> {
  const r = await m2m(inCse.url, '/cse-in/node-mn', 'CAdmin', 'GET');
  return r.body['m2m:nod'].acpi;
}
