// ESPrim (TS-0003 8.4, 7.2.2; TS-0004 7.6.2) with the IN-CSE as its own OS process, configured as ESPrim
// Target by its configuration file (endToEnd.esprim, key in a 0600 file): an AE (ESPrimClient, then the AE
// app as its own process) speaks HTTP to the MN-CSE process (apps/mn-cse, no end-to-end configuration),
// which relays over its certificate-SAEF HTTPS association to the IN-CSE process. The MN -> IN hop runs
// through a hook in the relay path: a TLS relay in this test process that holds the MN's client credential
// and the IN's server credential, i.e. sees exactly what a compromised MN-CSE sees and sends, and records,
// alters or replays it. The MN-CSE process itself also alters what it relays for AE3 (its relay test hook,
// `testHooks` in its development configuration; the secure profile refuses it). Shows: acaf satisfied only
// with ESPrim; a byte altered at the relay or by the MN-CSE detected with 4115; an ESData con (JWS, JWE)
// altered by the MN-CSE refused by the reader with 4102; a replayed primitive refused with 5210; the relay
// sees only ciphertext; e2eSecInfo served.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender } from '@m2msec/binding-http';
import { establishE2EKey } from '@m2msec/escertke';
import {
  decryptCompact,
  encryptCompact,
  keyResolver,
  signCompact,
  unprotectContent,
  verifyCompact,
} from '@m2msec/esdata';
import { ESPrimClient, ESPrimOriginator, securityInfoOf } from '@m2msec/esprim';
import { MafClient, mafESDataKeyResolver } from '@m2msec/maf';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/net/ports.js';
import { inCseMain } from '../src/nodes/in-cse.js';
import { MAF_FQDN, type MafNode, startMaf } from '../src/nodes/maf.js';
import { mnCseMain } from '../src/nodes/mn-cse.js';
import { until } from '../src/nodes/process.js';

const AE = '/id-mn/Cae1';
const KID = 'ae1-in@mef.m2msec.org';
const key = randomBytes(32);
// The AE app's (apps/ae) own ESPrim key and an ESData key it shares with the reader of its data.
const AE2 = '/id-mn/Cae2';
const KID2 = 'ae2-in@mef.m2msec.org';
const key2 = randomBytes(32);
const ESDATA_KID = '16-ae2-data@mef.m2msec.org';
const esdataKey = randomBytes(32);
// AE3's requests are altered by the MN-CSE process itself (its relay test hook, testHooks in its configuration).
const AE3 = '/id-mn/Cae3';
const KID3 = 'ae3-in@mef.m2msec.org';
const key3 = randomBytes(32);
// The AE app with an ESCertKE-established key (endToEnd.esprim.escertke).
const AE4 = '/id-mn/Cae4';
const aeMain = fileURLToPath(new URL('../../apps/ae/dist/main.js', import.meta.url));

interface Relayed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The MN -> IN hop: what the MN-CSE sent, and an optional alteration of the body (a compromised relay). */
const hop: { seen: Relayed[]; alter?: (body: string) => string } = { seen: [] };
let inUrl: string;
let inMccPort: number;
let ca: TestCa;
let mnClient: Issued;
let relay: Server;
let relayUrl: string;
let inCse: ChildProcess;
let inOutput = '';
let mn: ChildProcess;
let mnUrl: string;
let dir: string;
let kekDir: string;
const sender = new HttpRequestSender({ timeoutMs: 10_000 });

/** Sends a request to the IN-CSE's certificate listener with the MN-CSE's client credential. */
function forward(r: Relayed): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: inMccPort,
        method: r.method,
        path: r.url,
        headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
        ca: ca.cert,
        cert: mnClient.cert,
        key: mnClient.key,
        servername: 'id-in.m2msec.org',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (
              typeof v === 'string' &&
              !['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)
            )
              headers[k] = v;
          }
          resolve({ status: res.statusCode!, headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Resends a recorded MN -> IN request over the MN-CSE's association (a replay at the relay). */
async function replay(r: Relayed): Promise<number> {
  const res = await forward({ ...r, headers: { ...r.headers, 'x-m2m-ri': 'replayed-1' } });
  return Number(res.headers['x-m2m-rsc']);
}

function headersFor(from: string, ty?: number): Record<string, string> {
  return {
    'X-M2M-Origin': from,
    'X-M2M-RI': `t${Math.random().toString(36).slice(2)}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}`,
  };
}

async function post(base: string, path: string, from: string, ty: number, body: unknown): Promise<number> {
  const r = await fetch(base + path, { method: 'POST', headers: headersFor(from, ty), body: JSON.stringify(body) });
  return Number(r.headers.get('X-M2M-RSC'));
}

function client(): ESPrimClient {
  return new ESPrimClient({
    originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
    send: (req) => sender.send(mnUrl, req, { retarget: true }),
    from: 'Cae1',
    targetCseBase: '/id-in/cse-in',
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-esprim-in-'));
  kekDir = mkdtempSync(join(tmpdir(), 'm2msec-esprim-kek-'));
  const keyFile = join(kekDir, 'ae1.esprim.key');
  writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const keyFile2 = join(kekDir, 'ae2.esprim.key');
  writeFileSync(keyFile2, key2.toString('base64'), { mode: 0o600 });
  const keyFile3 = join(kekDir, 'ae3.esprim.key');
  writeFileSync(keyFile3, key3.toString('base64'), { mode: 0o600 });
  ca = new TestCa('esprim-process');
  const inServer = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  mnClient = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  chmodSync(inServer.keyPath, 0o600);
  const inPort = await freePort();
  inMccPort = await freePort();
  inUrl = `http://127.0.0.1:${inPort}`;
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      profile: 'development',
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      http: { host: '127.0.0.1', port: inPort, maxBodyBytes: 1048576, trustedProxies: [] },
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
          trustAnchors: [ca.certPath],
          crls: [],
          tls13: true,
        },
      },
      endToEnd: {
        esprim: {
          keys: [
            { kid: KID, identity: AE, keyFile },
            { kid: KID2, identity: AE2, keyFile: keyFile2 },
            { kid: KID3, identity: AE3, keyFile: keyFile3 },
          ],
        },
        escertke: {
          cert: inServer.certPath,
          key: inServer.keyPath,
          trustAnchors: [ca.certPath],
          initiators: ['/id-mn/*'],
        },
      },
      log: { level: 'warn' },
    }),
  );
  inConfig = config;
  await startInCse();

  // The relay hook presents the IN-CSE's server credential to the MN-CSE (which checks it as usual).
  relay = createHttpsServer({ cert: inServer.cert, key: inServer.key, ca: ca.cert, requestCert: true }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
      }
      const r: Relayed = { method: req.method!, url: req.url!, headers, body: hop.alter ? hop.alter(body) : body };
      hop.seen.push(r);
      try {
        const out = await forward(r);
        res.writeHead(out.status, out.headers).end(out.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  relayUrl = `https://127.0.0.1:${(relay.address() as AddressInfo).port}`;

  // The MN-CSE process (apps/mn-cse), with no end-to-end configuration at all: it relays what it cannot read.
  chmodSync(mnClient.keyPath, 0o600);
  const mnPort = await freePort();
  mnUrl = `http://127.0.0.1:${mnPort}`;
  const mnConfig = join(dir, 'mn.json');
  writeFileSync(
    mnConfig,
    JSON.stringify({
      profile: 'development',
      cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      http: { host: '127.0.0.1', port: mnPort, maxBodyBytes: 1048576 },
      registrar: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        url: relayUrl,
        retryMs: 200,
        refreshMs: 30_000,
        certificate: {
          cert: mnClient.certPath,
          key: mnClient.keyPath,
          trustAnchors: [ca.certPath],
          servername: 'id-in.m2msec.org',
        },
      },
      registration: { appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }] },
      // The relay test hook (refused by the secure profile): AE3's requests leave the MN-CSE altered.
      testHooks: { alterRelayedContentFrom: [AE3] },
      log: { level: 'warn' },
    }),
  );
  mn = spawn(process.execPath, [mnCseMain], {
    env: { ...process.env, M2MSEC_CONFIG: mnConfig, M2MSEC_DATA_DIR: join(dir, 'mn-data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let mnOutput = '';
  mn.stdout!.on('data', (d) => (mnOutput += d));
  mn.stderr!.on('data', (d) => (mnOutput += d));
  await until(
    'MN-CSE process registered to the IN-CSE',
    async () => {
      if (mn.exitCode !== null) throw new Error(`mn-cse exited: ${mnOutput}`);
      const r = await fetch(`${mnUrl}/.well-known/m2msec/status`, { signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
      return (
        r?.ok === true && ((await r.json()) as { registration: { state: string } }).registration.state === 'registered'
      );
    },
    60_000,
  );

  // At the IN-CSE: a container whose only rule for the MN's AE demands an authenticated originator.
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: [AE, AE2, AE3, AE4], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await post(inUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
  expect(await post(inUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpAuth'] } })).toBe(2001);
  expect(await post(mnUrl, '/cse-mn', 'Cae1', 2, { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } })).toBe(2001);
  expect(await post(mnUrl, '/cse-mn', 'Cae3', 2, { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } })).toBe(2001);
  // A container the MN's AEs may write without acaf: ESData (not ESPrim) protects what they store there.
  const open = {
    'm2m:acp': {
      rn: 'acpOpen',
      pv: { acr: [{ acor: [AE, AE3], acop: 3 }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect(await post(inUrl, '/cse-in', 'CAdmin', 1, open)).toBe(2001);
  expect(await post(inUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'open', acpi: ['cse-in/acpOpen'] } })).toBe(2001);
}, 120_000);

afterAll(async () => {
  sender.close();
  if (mn && mn.exitCode === null) {
    const exited = new Promise((r) => mn.once('exit', r));
    mn.kill('SIGTERM');
    await exited;
  }
  relay?.closeAllConnections();
  relay?.close();
  if (inCse && inCse.exitCode === null) {
    const exited = new Promise((r) => inCse.once('exit', r));
    inCse.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (kekDir) rmSync(kekDir, { recursive: true, force: true });
});

let inConfig: string;

/** Starts the IN-CSE process (again, after a stop: same configuration, data directory and KEK). */
async function startInCse(): Promise<void> {
  inOutput = '';
  inCse = spawn(process.execPath, [inCseMain], {
    env: {
      ...process.env,
      M2MSEC_CONFIG: inConfig,
      M2MSEC_DATA_DIR: join(dir, 'data'),
      M2MSEC_KEK_FILE: join(kekDir, 'keystore.key'),
      M2MSEC_STORE: 'sqlite',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  inCse.stdout!.on('data', (d) => (inOutput += d));
  inCse.stderr!.on('data', (d) => (inOutput += d));
  await until(
    'IN-CSE process answering',
    async () => {
      if (inCse.exitCode !== null) throw new Error(`in-cse exited: ${inOutput}`);
      const r = await fetch(`${inUrl}/cse-in`, {
        headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
        signal: AbortSignal.timeout(2000),
      }).catch(() => undefined);
      return r?.status === 200 && (await accepts(inMccPort));
    },
    60_000,
  );
}

async function stopInCse(): Promise<void> {
  if (inCse.exitCode !== null) return;
  const exited = new Promise((r) => inCse.once('exit', r));
  inCse.kill('SIGTERM');
  await exited;
}

/** The AE app (apps/ae) as its own process in run mode, driven by JSON lines on stdin. */
function startAe(configPath: string) {
  const ae = spawn(process.execPath, [aeMain, 'run', '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  ae.stderr!.on('data', (dd) => (stderr += dd));
  const events: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  let stdout = '';
  createInterface({ input: ae.stdout! }).on('line', (l) => {
    stdout += `${l}\n`;
    events.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  const next = async (pred: (e: Record<string, any>) => boolean) => {
    for (;;) {
      const e = events.find(pred);
      if (e) return e;
      if (ae.exitCode !== null) throw new Error(`ae exited: ${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 500);
      });
    }
  };
  return {
    stderr: () => stderr,
    /** Everything the AE printed (its JSON lines and its error output). */
    output: () => stdout + stderr,
    next,
    /** Sends a command line and waits for its response line. */
    async command(c: Record<string, unknown> & { id: number }) {
      ae.stdin!.write(`${JSON.stringify(c)}\n`);
      return next((e) => e.event === 'response' && e.id === c.id);
    },
    async stop() {
      if (ae.exitCode !== null) return;
      const exited = new Promise((res) => ae.once('exit', res));
      ae.kill('SIGTERM');
      await exited;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sit5 = () => hop.seen.filter((r) => r.body.includes('m2m:seci') && securityInfoOf(JSON.parse(r.body))?.sit === 5);

describe('ESPrim AE -> MN-CSE -> IN-CSE process (endToEnd.esprim in its configuration)', () => {
  it('without ESPrim the relayed AE does not satisfy acaf (4103)', async () => {
    const r = await fetch(`${mnUrl}/~/id-in/cse-in/data`, { headers: headersFor('Cae1') });
    expect(Number(r.headers.get('X-M2M-RSC'))).toBe(4103);
  });

  it('with ESPrim: CREATE and RETRIEVE pass acaf, and the relay carried only ciphertext', async () => {
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
    expect(sit5().length).toBe(2);
    // sit 3 (session), then two sit 5: every MN -> IN request was an outer NOTIFY to the <CSEBase>.
    expect(hop.seen.map((r) => `${r.method} ${r.url} ${r.headers['content-type']}`)).toEqual(
      Array(3).fill('POST /~/id-in/cse-in application/json'),
    );
    expect(JSON.stringify(hop.seen)).not.toContain('secret-21.5');
  });

  it('the inner From must be the identity bound to the key (4116), even with a valid key', async () => {
    const r = await client().request({ op: 2, to: '/id-in/cse-in/data', fr: '/id-mn/Cother', rqi: 'i5', rvi: '3' });
    expect(r.rsc).toBe(4116);
  });

  it('a byte altered at the relay is detected at the IN-CSE process (4115) and nothing is created', async () => {
    const c = client();
    await c.establishSession();
    hop.alter = (body) => {
      const seci = body.includes('m2m:seci') ? securityInfoOf(JSON.parse(body)) : undefined;
      if (seci?.sit !== 5) return body;
      const parts = seci.epo!.split('.');
      const ct = parts[3]!;
      parts[3] = ct.slice(0, 5) + (ct[5] === 'A' ? 'B' : 'A') + ct.slice(6);
      return JSON.stringify({ 'm2m:seci': { ...seci, epo: parts.join('.') } });
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
    expect(got.rsc, got.dbg).toBe(2000);
    expect((got.pc as any)['m2m:cnt'].cni).toBe(1);
  });

  it('a byte altered by the MN-CSE process itself (its relay test hook) is 4115 at the IN-CSE; nothing is created', async () => {
    const c3 = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: KID3, pairwiseESPrimKey: key3 }),
      send: (req) => sender.send(mnUrl, req, { retarget: true }),
      from: 'Cae3',
      targetCseBase: '/id-in/cse-in',
    });
    const before = await client().request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'h0', rvi: '3' });
    const cni = (before.pc as any)['m2m:cnt'].cni;
    hop.seen.length = 0;
    const r = await c3.request({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: AE3,
      rqi: 'h1',
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { con: 'from-ae3' } },
    });
    expect(r.rsc).toBe(4115);
    // What reached the IN-CSE was the MN-CSE's altered object (the TLS hook in this test only recorded it).
    expect(sit5().length).toBe(1);
    const after = await client().request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'h2', rvi: '3' });
    expect((after.pc as any)['m2m:cnt'].cni).toBe(cni);
  });

  it("ESData AE -> MN-CSE -> IN-CSE -> AE: a con altered at the MN-CSE fails the reader's JWS / JWE check (4102)", async () => {
    const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const SIG_KID = '51-/id-mn/Cae3';
    const ENC_KID = '16-ae3-data@mef.m2msec.org';
    const encKey = randomBytes(32);
    const reading = JSON.stringify({ temperature: 19.25 });
    const write = async (from: string, rn: string, con: string) =>
      post(mnUrl, '/~/id-in/cse-in/open', from, 4, { 'm2m:cin': { rn, cnf: 'application/json:0:1', con } });
    const read = async (rn: string) => {
      const r = await fetch(`${inUrl}/cse-in/open/${rn}`, { headers: headersFor('CAdmin') });
      return ((await r.json()) as { 'm2m:cin': { con: string } })['m2m:cin'].con;
    };
    const jws = await signCompact(reading, { kid: SIG_KID, alg: 'ES256', key: signer.privateKey });
    const jwe = await encryptCompact(reading, { kid: ENC_KID, alg: 'dir', key: encKey }, 'A256GCM');
    const verify = (o: string) => verifyCompact(o, keyResolver([{ kid: SIG_KID, key: signer.publicKey }]));
    const decrypt = (o: string) => decryptCompact(o, keyResolver([{ kid: ENC_KID, key: encKey }]));
    // Relayed untouched (AE1): the reader verifies and decrypts.
    expect(await write('Cae1', 'sig1', jws)).toBe(2001);
    expect(await write('Cae1', 'enc1', jwe)).toBe(2001);
    expect(Buffer.from((await verify(await read('sig1'))).payload).toString()).toBe(reading);
    expect(Buffer.from((await decrypt(await read('enc1'))).plaintext).toString()).toBe(reading);
    // Relayed altered (AE3): stored as the MN-CSE sent it, refused by the reader with ESData's status.
    expect(await write('Cae3', 'sig3', jws)).toBe(2001);
    expect(await write('Cae3', 'enc3', jwe)).toBe(2001);
    const sig3 = await read('sig3');
    const enc3 = await read('enc3');
    expect([sig3.length, sig3 === jws, enc3.length, enc3 === jwe]).toEqual([jws.length, false, jwe.length, false]);
    await expect(verify(sig3)).rejects.toMatchObject({ rsc: 4102 });
    await expect(decrypt(enc3)).rejects.toMatchObject({ rsc: 4102 });
  });

  it('a primitive replayed at the relay is refused (5210) and creates nothing', async () => {
    hop.seen.length = 0;
    const c = client();
    const created = await c.request({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: AE,
      rqi: 'i6',
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { con: 'once' } },
    });
    expect(created.rsc, created.dbg).toBe(2001);
    const create = sit5().at(-1)!;
    expect(await replay(create)).toBe(5210);
    const got = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'i7', rvi: '3' });
    expect((got.pc as any)['m2m:cnt'].cni).toBe(2);
  });

  it('ESCertKE through the MN-CSE process, then ESPrim with the established key passes acaf', async () => {
    const send = (req: Parameters<typeof sender.send>[1]) => sender.send(mnUrl, req, { retarget: true });
    const establish = (san: string) => {
      const cert = ca.issue({ san, usage: 'client' });
      return establishE2EKey({
        endPoint: {
          cert: cert.cert,
          key: cert.key,
          ca: ca.cert,
          identityContext: { spId: 'm2msec.org', inCseId: '/id-in' },
          terminatingId: '/id-in',
        },
        send,
        from: 'Cae1',
        targetCseBase: '/id-in/cse-in',
      });
    };
    hop.seen.length = 0;
    const e = await establish('URI:m2m://m2msec.org/id-mn/Cae1');
    expect(JSON.stringify(hop.seen)).not.toContain(e.pairwiseE2EKey.toString('base64'));
    const c = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: e.kid, pairwiseESPrimKey: e.pairwiseE2EKey }),
      send,
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    const got = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'k1', rvi: '3' });
    expect(got.rsc, got.dbg).toBe(2000);
    // The key is bound to the identity the certificate proved: another AE-ID as inner From is 4116.
    const other = await c.request({ op: 2, to: '/id-in/cse-in/data', fr: AE2, rqi: 'k2', rvi: '3' });
    expect(other.rsc).toBe(4116);
    // An initiator outside endToEnd.escertke.initiators gets no key (TS-0003 8.7.2.2 B: 4103).
    await expect(establish('URI:m2m://m2msec.org/id-other/Cx')).rejects.toMatchObject({ rsc: 4103 });
  });

  it('e2eSecInfo: the <CSEBase> advertises ESPrim with pre-provisioned and certificate-based keys (SUIDs 13, 43), read-only', async () => {
    const r = await fetch(`${inUrl}/cse-in`, { headers: headersFor('CAdmin') });
    const cb = ((await r.json()) as { 'm2m:cb': { esi?: unknown } })['m2m:cb'];
    expect(cb.esi).toEqual({ esf: [13, 43] });
    // The <CSEBase> is not updatable by requests (TS-0004 7.4.3: RETRIEVE only), esi included: 4005.
    const u = await fetch(`${inUrl}/cse-in`, {
      method: 'PUT',
      headers: headersFor('CAdmin'),
      body: JSON.stringify({ 'm2m:cb': { esi: { esf: [13, 43] } } }),
    });
    expect(Number(u.headers.get('X-M2M-RSC'))).toBe(4005);
    const again = await fetch(`${inUrl}/cse-in`, { headers: headersFor('CAdmin') });
    expect(((await again.json()) as { 'm2m:cb': { esi?: unknown } })['m2m:cb'].esi).toEqual({ esf: [13, 43] });
  });

  it('e2eSecInfo of an <AE>: stored and returned as the AE declares it; a malformed one is 4000', async () => {
    const esi = { esf: [13, 14] };
    expect(await post(inUrl, '/cse-in', 'Cesi1', 2, { 'm2m:ae': { api: 'Nesi', rr: false, srv: ['3'], esi } })).toBe(
      2001,
    );
    const r = await fetch(`${inUrl}/cse-in/Cesi1`, { headers: headersFor('Cesi1') });
    expect(((await r.json()) as { 'm2m:ae': { esi?: unknown } })['m2m:ae'].esi).toEqual(esi);
    expect(
      await post(inUrl, '/cse-in', 'Cesi2', 2, { 'm2m:ae': { api: 'Nesi', rr: false, srv: ['3'], esi: { esf: 'x' } } }),
    ).toBe(4000);
    expect(
      await post(inUrl, '/cse-in', 'Cesi3', 2, { 'm2m:ae': { api: 'Nesi', rr: false, srv: ['3'], esi: { other: 1 } } }),
    ).toBe(4000);
  });

  it('the AE app (apps/ae) by configuration: ESPrim requests and an ESData con through the relay', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-esprim-ae-'));
    const esprimKeyFile = join(d, 'esprim.key');
    writeFileSync(esprimKeyFile, key2.toString('base64'), { mode: 0o600 });
    const esdataKeyFile = join(d, 'esdata.key');
    writeFileSync(esdataKeyFile, esdataKey.toString('base64'), { mode: 0o600 });
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: mnUrl },
        appId: 'Nt2',
        stem: 'Cae2',
        endToEnd: {
          esprim: { kid: KID2, keyFile: esprimKeyFile, targetCseBase: '/id-in/cse-in' },
          esdata: { kid: ESDATA_KID, keyFile: esdataKeyFile },
        },
      }),
    );
    const ae = startAe(configPath);
    try {
      expect((await ae.next((e) => e.event === 'ready' || e.event === 'error')).aeId, ae.stderr()).toBe(AE2);
      hop.seen.length = 0;
      const got = await ae.command({ id: 1, op: 2, to: '/id-in/cse-in/data' });
      expect(got.rsc, got.dbg).toBe(2000);
      const reading = { temperature: 21.5 };
      const posted = await ae.command({ id: 2, cmd: 'post', to: '/id-in/cse-in/data', con: reading });
      expect(posted.rsc, posted.dbg).toBe(2001);
      // The MN-CSE relayed only outer NOTIFYs to the <CSEBase>; neither the request nor the reading was readable.
      expect(hop.seen.length).toBeGreaterThanOrEqual(2);
      expect(hop.seen.every((r) => r.url === '/~/id-in/cse-in' && r.body.includes('m2m:seci'))).toBe(true);
      expect(JSON.stringify(hop.seen)).not.toContain('temperature');
      expect(JSON.stringify(hop.seen)).not.toContain('/id-in/cse-in/data');
      // At the IN-CSE the stored con is the AE's JWE; the holder of the ESData key opens it.
      const r = await fetch(`${inUrl}/cse-in/data/la`, { headers: headersFor('CAdmin') });
      const cin = ((await r.json()) as { 'm2m:cin': { cnf: string; con: string; cr?: string } })['m2m:cin'];
      expect(cin.cnf).toBe('application/json:0:1');
      expect(cin.con).not.toContain('temperature');
      const opened = await unprotectContent(cin.con, {
        securityClass: 'encrypt',
        serialization: 1,
        resolve: keyResolver([{ kid: ESDATA_KID, key: esdataKey }]),
      });
      expect(JSON.parse(Buffer.from(opened.payload).toString())).toEqual(reading);
    } finally {
      await ae.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the AE app with endToEnd.esprim.escertke: a key established through the relay, still valid after the IN-CSE restarts', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-escertke-ae-'));
    const cert = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae4', usage: 'client' });
    chmodSync(cert.keyPath, 0o600);
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: mnUrl },
        appId: 'Nt4',
        stem: 'Cae4',
        endToEnd: {
          esprim: {
            targetCseBase: '/id-in/cse-in',
            escertke: { cert: cert.certPath, key: cert.keyPath, trustAnchors: [ca.certPath], spId: 'm2msec.org' },
          },
        },
      }),
    );
    const ae = startAe(configPath);
    try {
      expect((await ae.next((e) => e.event === 'ready' || e.event === 'error')).aeId, ae.stderr()).toBe(AE4);
      hop.seen.length = 0;
      const got = await ae.command({ id: 1, op: 2, to: '/id-in/cse-in/data' });
      expect(got.rsc, got.dbg).toBe(2000);
      // ESCertKE (sit 6) then ESPrim (sit 3, 5), all outer NOTIFYs to the <CSEBase>; no key on the hop.
      const sits = hop.seen
        .filter((r) => r.body.includes('m2m:seci'))
        .map((r) => securityInfoOf(JSON.parse(r.body))?.sit);
      expect(sits.slice(0, 2)).toEqual([6, 6]);
      expect(sits.slice(2)).toEqual([3, 5]);
      await stopInCse();
      await startInCse();
      // The AE keeps its key; the restarted IN-CSE still holds it (in its Secure Environment): acaf passes.
      hop.seen.length = 0;
      const again = await ae.command({ id: 2, op: 2, to: '/id-in/cse-in/data' });
      expect(again.rsc, again.dbg).toBe(2000);
      expect(sit5().length).toBeGreaterThan(0);
      expect(hop.seen.some((r) => r.body.includes('m2m:seci') && securityInfoOf(JSON.parse(r.body))?.sit === 6)).toBe(
        false,
      );
    } finally {
      await ae.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('the AE app keeps its ESCertKE key in its own Secure Environment (endToEnd.esprim.escertke.keystore)', () => {
  const kidOf = (r: Relayed) => {
    const epo = securityInfoOf(JSON.parse(r.body))?.epo as string;
    return JSON.parse(Buffer.from(epo.split('.')[0]!, 'base64url').toString()).kid as string;
  };
  // Only the outer NOTIFYs: the MN-CSE's own registration refresh may cross the hop meanwhile.
  const sitsOnHop = () =>
    hop.seen.filter((r) => r.body.includes('m2m:seci')).map((r) => securityInfoOf(JSON.parse(r.body))?.sit);

  it('across its own restart no new ESCertKE; a key the Target replaced is re-established; the keystore is sealed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-escertke-ks-'));
    const cert = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae4', usage: 'client' });
    chmodSync(cert.keyPath, 0o600);
    const config = (name: string) => {
      const path = join(d, `${name}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
          transport: { kind: 'http', url: mnUrl },
          appId: 'Nt4',
          stem: 'Cae4',
          endToEnd: {
            esprim: {
              targetCseBase: '/id-in/cse-in',
              escertke: {
                cert: cert.certPath,
                key: cert.keyPath,
                trustAnchors: [ca.certPath],
                spId: 'm2msec.org',
                keystore: { path: join(d, `${name}.keystore.json`), keyFile: join(d, `${name}.kek`) },
              },
            },
          },
        }),
      );
      return path;
    };
    const a = config('a');
    const run = async (path: string, id: number) => {
      const ae = startAe(path);
      try {
        expect((await ae.next((e) => e.event === 'ready' || e.event === 'error')).aeId, ae.stderr()).toBe(AE4);
        hop.seen.length = 0;
        const got = await ae.command({ id, op: 2, to: '/id-in/cse-in/data' });
        expect(got.rsc, got.dbg).toBe(2000);
        return { sits: sitsOnHop(), kids: hop.seen.filter((r) => sit5().includes(r)).map(kidOf), out: ae.output() };
      } finally {
        await ae.stop();
      }
    };
    const first = await run(a, 1);
    expect(first.sits).toEqual([6, 6, 3, 5]);
    const kid1 = first.kids[0]!;
    // Restarted, the AE takes its key from its keystore: no ESCertKE on the hop, the same kid, acaf passes.
    const second = await run(a, 2);
    expect(second.sits).toEqual([3, 5]);
    expect(second.kids).toEqual([kid1]);
    // The keystore is encrypted at rest: the stored record (kid and key) is not readable in it.
    expect(readFileSync(join(d, 'a.keystore.json'), 'utf8')).not.toContain(kid1);
    // Opened with its KEK, it holds the key; the key is in no output of the AE or the IN-CSE process.
    const se = await openSoftwareSecureEnvironment({ path: join(d, 'a.keystore.json'), keyFile: join(d, 'a.kek') });
    const record = JSON.parse(
      Buffer.from((await se.readCredential(`escertke/${encodeURIComponent('/id-in/cse-in')}`))!).toString(),
    );
    await se.close();
    expect(record.kid).toBe(kid1);
    const stored = Buffer.from(record.key, 'base64');
    expect(stored.length).toBeGreaterThanOrEqual(16);
    for (const form of [stored.toString('hex'), stored.toString('base64'), stored.toString('base64url')])
      expect(`${first.out}${second.out}${inOutput}`).not.toContain(form);
    // Another instance of the same AE establishes a new key: the Target replaces kid1 (one key per identity).
    const other = await run(config('b'), 3);
    expect(other.sits).toEqual([6, 6, 3, 5]);
    expect(other.kids[0]).not.toBe(kid1);
    // The first instance, restarted with kid1, is told 4112 and establishes a new key once, then passes.
    const third = await run(a, 4);
    expect(third.sits.slice(-4)).toEqual([6, 6, 3, 5]);
    expect(third.kids.at(-1)).not.toBe(kid1);
    const fourth = await run(a, 5);
    expect(fourth.sits).toEqual([3, 5]);
    expect(fourth.kids).toEqual([third.kids.at(-1)]);
    // Attack: a KEK file others can read is refused, and the AE does not start.
    chmodSync(join(d, 'a.kek'), 0o644);
    const ae = startAe(a);
    try {
      const e = await ae.next((x) => x.event === 'ready' || x.event === 'error');
      if (e.event === 'ready') {
        const got = await ae.command({ id: 6, op: 2, to: '/id-in/cse-in/data' });
        expect(got.rsc).not.toBe(2000);
        expect(String(got.dbg ?? '')).toMatch(/accessible to group or others/);
      } else expect(e.message).toMatch(/accessible to group or others/);
    } finally {
      await ae.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('MAF-based ESData, Source-generated key (TS-0003 8.6.3, 8.8.2.7): MAF, AE, MN-CSE and IN-CSE processes', () => {
  const AE5 = '//m2msec.org/id-mn/Cae5';
  const READER = '//m2msec.org/id-in/Creader';
  const OUTSIDER = '//m2msec.org/id-in/Coutsider';
  const kms = new Map([AE5, READER, OUTSIDER].map((id) => [id, randomBytes(32)]));
  const kmIdOf = (id: string) => `${id.slice(id.lastIndexOf('/') + 1).toLowerCase()}@${MAF_FQDN}`;
  let maf: MafNode;

  /** A Target End-Point: its own MAF client (registered at the MAF), resolving kids by MAF Key Retrieval. */
  async function targetResolver(id: string) {
    const c = new MafClient({
      mafUrl: maf.pskUrl,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: kmIdOf(id), key: kms.get(id)! },
    });
    await c.registerClient({ adminFQDN: 'sp.m2msec.org', expirationTime: Date.now() + 3_600_000 });
    return { client: c, resolve: mafESDataKeyResolver(c) };
  }

  /** A reading AE app process registered at the IN-CSE, ESData Target with its own MAF client. */
  const readAs = async (d: string, stem: string, id: string, securityClass: string) => {
    const kmFileOf = join(d, `${stem}.km`);
    writeFileSync(kmFileOf, kms.get(id)!.toString('hex'), { mode: 0o600 });
    const path = join(d, `${stem}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: { kind: 'http', url: inUrl },
        appId: 'Nreader',
        stem,
        endToEnd: {
          esdataTarget: {
            securityClass,
            maf: {
              url: maf.pskUrl,
              fqdn: MAF_FQDN,
              kmId: kmIdOf(id),
              kmFile: kmFileOf,
              adminFQDN: 'sp.m2msec.org',
            },
          },
        },
      }),
    );
    const reader = startAe(path);
    try {
      expect((await reader.next((e) => e.event === 'ready' || e.event === 'error')).stem, reader.stderr()).toBe(stem);
      return await reader.command({ id: 1, op: 2, to: 'cse-in/mafData/la' });
    } finally {
      await reader.stop();
    }
  };

  beforeAll(async () => {
    maf = await startMaf();
    for (const [id, km] of kms) await maf.addKm(kmIdOf(id), id, km);
    const acp = {
      'm2m:acp': {
        rn: 'acpMaf',
        pv: {
          acr: [
            { acor: ['/id-mn/Cae5'], acop: 3 },
            // Readers registered at the IN-CSE may read the ciphertext; only the MAF decides who opens it.
            { acor: ['Creader', 'Coutsider'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    };
    expect(await post(inUrl, '/cse-in', 'CAdmin', 1, acp)).toBe(2001);
    expect(await post(inUrl, '/cse-in', 'CAdmin', 3, { 'm2m:cnt': { rn: 'mafData', acpi: ['cse-in/acpMaf'] } })).toBe(
      2001,
    );
  }, 60_000);
  afterAll(() => maf?.stop());

  it('the AE app registers its own random key at the MAF; only the Target it named opens the relayed con', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-esdata-maf-ae-'));
    const kmFile = join(d, 'km.hex');
    writeFileSync(kmFile, kms.get(AE5)!.toString('hex'), { mode: 0o600 });
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: mnUrl },
        appId: 'Nt5',
        stem: 'Cae5',
        endToEnd: {
          esdata: {
            maf: {
              url: maf.pskUrl,
              fqdn: MAF_FQDN,
              kmId: kmIdOf(AE5),
              kmFile,
              adminFQDN: 'sp.m2msec.org',
              targetIDs: [READER],
            },
          },
        },
      }),
    );
    const ae = startAe(configPath);
    try {
      expect((await ae.next((e) => e.event === 'ready' || e.event === 'error')).aeId, ae.stderr()).toBe('/id-mn/Cae5');
      hop.seen.length = 0;
      const reading = { temperature: 19.25 };
      const posted = await ae.command({ id: 1, cmd: 'post', to: '/id-in/cse-in/mafData', con: reading });
      expect(posted.rsc, posted.dbg).toBe(2001);
      // The MN-CSE relayed the CREATE with the JWE in it, never the reading.
      expect(hop.seen.some((r) => r.body.includes('m2m:cin'))).toBe(true);
      expect(JSON.stringify(hop.seen)).not.toContain('temperature');
      const r = await fetch(`${inUrl}/cse-in/mafData/la`, { headers: headersFor('CAdmin') });
      const cin = ((await r.json()) as { 'm2m:cin': { cnf: string; con: string } })['m2m:cin'];
      expect(cin.cnf).toBe('application/json:0:1');
      const header = JSON.parse(Buffer.from(cin.con.split('.')[0]!, 'base64url').toString());
      // The kid is the MAF Key Identifier (10.3.5): the Target finds the MAF, and the key, from it alone.
      expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
      expect(header.kid).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
      // The Target End-Points are AE app processes registered at the IN-CSE (endToEnd.esdataTarget.maf):
      // the named one opens the con; an authenticated MAF client not named gets no key (4102).
      const byReader = await readAs(d, 'Creader', READER, 'encrypt');
      expect(byReader.rsc, byReader.dbg).toBe(2000);
      expect(JSON.parse(byReader.opened)).toEqual(reading);
      const byOutsider = await readAs(d, 'Coutsider', OUTSIDER, 'encrypt');
      expect(byOutsider.rsc, byOutsider.dbg).toBe(2000);
      expect(byOutsider.opened).toBeUndefined();
      expect(byOutsider).toMatchObject({ openRsc: 4102, openCode: 'ERR_ESDATA_UNKNOWN_KID' });
      const reader = await targetResolver(READER);
      const opened = await unprotectContent(cin.con, {
        securityClass: 'encrypt',
        serialization: 1,
        resolve: reader.resolve,
      });
      expect(JSON.parse(Buffer.from(opened.payload).toString())).toEqual(reading);
      // Attack: an authenticated MAF client the Source did not name gets no key, so the con stays closed.
      const outsider = await targetResolver(OUTSIDER);
      await expect(
        unprotectContent(cin.con, { securityClass: 'encrypt', serialization: 1, resolve: outsider.resolve }),
      ).rejects.toMatchObject({ rsc: 4102, code: 'ERR_ESDATA_UNKNOWN_KID' });
      await expect(outsider.client.retrieveKey(header.kid)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // The registration at the MAF is the Source's: SUID 34, its client ID; the Key Value is 64 bytes, the
      // ESData key its first half (8.8.1). Neither the key nor Km appears in any process's output.
      const held = await reader.client.retrieveKey(header.kid);
      expect(held).toMatchObject({ suid: 34, sourceMafClientID: AE5 });
      expect(held.keyValue.length).toBe(64);
      const secrets = [held.keyValue, held.keyValue.subarray(0, 32), kms.get(AE5)!];
      const outputs = `${ae.stderr()}${maf.output()}${inOutput}`;
      for (const k of secrets)
        for (const form of [k.toString('hex'), k.toString('base64'), k.toString('base64url')])
          expect(outputs).not.toContain(form);
    } finally {
      await ae.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('usage sign (SUID 35): the con is an HMAC JWS under the MAF key; the named Target verifies it, another cannot', async () => {
    const d = mkdtempSync(join(tmpdir(), 'm2msec-esdata-maf-sign-'));
    const kmFile = join(d, 'km.hex');
    writeFileSync(kmFile, kms.get(AE5)!.toString('hex'), { mode: 0o600 });
    const configPath = join(d, 'ae.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: mnUrl },
        appId: 'Nt5',
        stem: 'Cae5',
        endToEnd: {
          esdata: {
            maf: {
              url: maf.pskUrl,
              fqdn: MAF_FQDN,
              kmId: kmIdOf(AE5),
              kmFile,
              adminFQDN: 'sp.m2msec.org',
              targetIDs: [READER],
              usage: 'sign',
            },
          },
        },
      }),
    );
    const ae = startAe(configPath);
    try {
      expect((await ae.next((e) => e.event === 'ready' || e.event === 'error')).aeId, ae.stderr()).toBe('/id-mn/Cae5');
      const posted = await ae.command({ id: 1, cmd: 'post', to: '/id-in/cse-in/mafData', con: { on: true } });
      expect(posted.rsc, posted.dbg).toBe(2001);
      const r = await fetch(`${inUrl}/cse-in/mafData/la`, { headers: headersFor('CAdmin') });
      const cin = ((await r.json()) as { 'm2m:cin': { con: string } })['m2m:cin'];
      const header = JSON.parse(Buffer.from(cin.con.split('.')[0]!, 'base64url').toString());
      expect(header.alg).toBe('HS256');
      expect(header.kid).toMatch(/^[0-9a-f]{32}@maf\.m2msec\.org$/);
      const byReader = await readAs(d, 'Creader', READER, 'sign');
      expect(byReader.rsc, byReader.dbg).toBe(2000);
      expect(JSON.parse(byReader.opened)).toEqual({ on: true });
      // A Target that expects encryption does not take a signed-only con (the class is the Target's choice).
      expect(await readAs(d, 'Creader', READER, 'encrypt')).toMatchObject({ openRsc: 4000 });
      expect(await readAs(d, 'Coutsider', OUTSIDER, 'sign')).toMatchObject({
        openRsc: 4102,
        openCode: 'ERR_ESDATA_UNKNOWN_KID',
      });
      const held = await (await targetResolver(READER)).client.retrieveKey(header.kid);
      expect(held.suid).toBe(35);
    } finally {
      await ae.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
