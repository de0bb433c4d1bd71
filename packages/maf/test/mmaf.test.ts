// The Mmaf procedures against a real MAF over TLS-PSK (TS-0003 8.8.2): client registration, key
// registration from the EXPORTER-oneM2M-Connection exporter (checked against Entity A's side and
// openssl s_client -keymatexport), retrieval authorised against targetIDs, update, de-registration,
// expiry, and the notification that lets B hold Kc before A's first handshake.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { MafKeyCache, pskClientOptions, pskServerOptions } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMafKeyNotification, MafClient, MafError, mafKeySource } from '../src/index.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const A = '//m2msec.org/id-in/Cae1';
const B = '//m2msec.org/id-in';
const C = '//m2msec.org/id-mn';

let t: TestMaf;
let a: Awaited<ReturnType<TestMaf['client']>>;
let b: Awaited<ReturnType<TestMaf['client']>>;
let c: Awaited<ReturnType<TestMaf['client']>>;

beforeAll(async () => {
  t = await startTestMaf();
  a = await t.client(A);
  b = await t.client(B);
  c = await t.client(C);
  for (const x of [a, b, c]) await x.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
});
afterAll(() => t?.close());

const saefKey = (targetIDs = [B], minutes = 10) =>
  a.registerKey({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(minutes), suid: 32, targetIDs });

async function refusedWith(p: Promise<unknown>, code: string, text?: RegExp): Promise<MafError> {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e).toBeInstanceOf(MafError);
  expect((e as MafError).code).toBe(code);
  if (text) expect((e as MafError).message).toMatch(text);
  return e as MafError;
}

describe('MAF Client Registration (8.8.2.3-8.8.2.6)', () => {
  it('registers, updates, answers configuration retrieval and de-registers; one registration per stakeholder', async () => {
    const d = await t.client('//m2msec.org/id-in/Cd');
    const reg = await d.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5), labels: ['x'] });
    expect(reg.mafClientID).toBe('//m2msec.org/id-in/Cd');
    expect(reg.adminFQDN).toBe(ADMIN_FQDN);
    expect(reg.labels).toEqual(['x']);
    expect(reg.assignedSymmKeyID).toBeUndefined();
    // A lifetime beyond the MAF's maximum is shortened (the MAF may assign other values).
    const long = await d.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: Date.now() + 400 * 86_400_000 });
    expect(Date.parse(long.expirationTime)).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);
    // The second registration replaced the first.
    await refusedWith(d.deregisterClient(reg.mafClientRegID), 'NOT_FOUND');
    const up = await d.updateClient(long.mafClientRegID, { labels: ['y'] });
    expect(up).toEqual({ labels: ['y'] });
    await refusedWith(d.clientConfiguration(long.mafClientRegID), 'NOT_FOUND', /no MAF Client Configuration/);
    // Another client cannot touch it.
    await refusedWith(c.updateClient(long.mafClientRegID, { labels: ['z'] }), 'FORBIDDEN');
    await refusedWith(c.deregisterClient(long.mafClientRegID), 'FORBIDDEN');
    await d.deregisterClient(long.mafClientRegID);
    // Without a registration, no key registration.
    await refusedWith(
      d.registerKey({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5), suid: 32, targetIDs: [B] }),
      'FORBIDDEN',
      /register with the MAF/,
    );
  });

  it('serves the MAF Client Configuration the stakeholder provided', async () => {
    const km = randomBytes(32);
    const kmId = `cfg@${MAF_FQDN}`;
    const cfg = { fqdn: MAF_FQDN, adminFQDN: ADMIN_FQDN, httpPort: 443 };
    expect(
      (
        await t.admin('PUT', `/admin/clients/psk/${kmId}`, {
          km: km.toString('hex'),
          clientId: '//m2msec.org/Scfg',
          clientConfiguration: cfg,
        })
      ).status,
    ).toBe(200);
    const e = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: kmId, key: km },
    });
    const reg = await e.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) });
    expect(await e.clientConfiguration(reg.mafClientRegID)).toEqual(cfg);
  });

  it('refuses a MAF Handshake with an unknown KmID or a wrong Km', async () => {
    const wrong = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: a.kmId, key: randomBytes(32) },
    });
    await expect(wrong.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toThrow();
    const unknown = new MafClient({
      mafUrl: t.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: `nobody@${MAF_FQDN}`, key: randomBytes(32) },
    });
    await expect(unknown.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toThrow();
  });
});

describe('MAF Key Registration and Retrieval (8.8.2.7, 8.8.2.8, 10.3.5)', () => {
  it('A and the MAF derive the same Kc; RelativeKeyID = hexBinary(KcID); only the target retrieves it; never Km', async () => {
    const k = await saefKey();
    const ck = k.connectionKey!;
    expect(k.relativeKeyID).toBe(ck.kcId.toString('hex'));
    expect(k.keyIdentifier).toBe(`${k.relativeKeyID}@${MAF_FQDN}`);
    expect(ck.keyIdentifier).toBe(k.keyIdentifier);
    expect(k.sourceMafClientID).toBe(A);
    expect(k.targetIDs).toEqual([B]);
    const got = await b.retrieveKey(k.keyIdentifier);
    expect(got.keyValue.equals(ck.kc)).toBe(true);
    expect(got.keyValue.equals(a.km)).toBe(false);
    expect(got.keyValue.equals(b.km)).toBe(false);
    expect(got.suid).toBe(32);
    expect(got.sourceMafClientID).toBe(A);
    await refusedWith(c.retrieveKey(k.keyIdentifier), 'FORBIDDEN', /not an authorised Target/);
    await refusedWith(a.retrieveKey(k.keyIdentifier), 'FORBIDDEN');
    await refusedWith(b.retrieveKey(`${'0'.repeat(32)}@${MAF_FQDN}`), 'NOT_FOUND');
  });

  it('the exporter agrees with openssl s_client -keymatexport on the same MAF Handshake', async () => {
    const body = JSON.stringify({
      mafFQDN: MAF_FQDN,
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(5),
      suid: 32,
      targetIDs: [B],
    });
    const port = new URL(t.maf.urls.psk!).port;
    const http = `POST /maf/symmKeyReg HTTP/1.1\r\nHost: ${MAF_FQDN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-psk',
        a.km.toString('hex'),
        '-psk_identity',
        a.kmId,
        '-servername',
        MAF_FQDN,
        '-cipher',
        'PSK-AES128-CBC-SHA256',
        '-keymatexport',
        'EXPORTER-oneM2M-Connection',
        '-keymatexportlen',
        '48',
        '-ign_eof',
      ]);
      let s = '';
      p.stdout.on('data', (d) => (s += d));
      p.stderr.on('data', (d) => (s += d));
      p.on('error', reject);
      p.on('close', () => resolve(s));
      p.stdin.end(http);
      setTimeout(() => p.kill(), 20_000).unref();
    });
    const keying = /Keying material: ([0-9A-F]{96})/.exec(out)?.[1];
    expect(keying, out).toBeDefined();
    const answer = JSON.parse(out.slice(out.indexOf('{"relativeKeyID"'), out.lastIndexOf('}') + 1));
    // KcID = the 16 most significant bytes, Kc = the 32 least significant (10.3.1, 10.3.5).
    expect(answer.relativeKeyID).toBe(keying!.slice(0, 32).toLowerCase());
    const got = await b.retrieveKey(answer.relativeKeyID);
    expect(got.keyValue.toString('hex')).toBe(keying!.slice(32).toLowerCase());
  });

  it('one exporter key per MAF Handshake session: a second registration on the session is 4105', async () => {
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      ...pskClientOptions({ identity: a.kmId, key: a.km, servername: MAF_FQDN }),
    });
    const post = () =>
      new Promise<{ rsc: number; body: any }>((resolve, reject) => {
        const payload = JSON.stringify({
          mafFQDN: MAF_FQDN,
          adminFQDN: ADMIN_FQDN,
          expirationTime: inMinutes(5),
          suid: 32,
          targetIDs: [B],
        });
        const req = request(new URL('/maf/symmKeyReg', t.maf.urls.psk), {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let s = '';
          res.on('data', (d) => (s += d));
          res.on('end', () => resolve({ rsc: Number(res.headers['x-m2m-rsc']), body: JSON.parse(s) }));
        });
        req.on('error', reject);
        req.end(payload);
      });
    const first = await post();
    expect(first.rsc).toBe(2001);
    const before = (await t.maf.store.keyRegs.list()).length;
    const second = await post();
    expect(second.rsc).toBe(4105);
    expect(second.body['m2m:dbg']).toMatch(/one per session/);
    expect((await t.maf.store.keyRegs.list()).length).toBe(before);
    agent.destroy();
  });

  it('a self-generated key value gets a MAF-chosen RelativeKeyID (8.8.2.7)', async () => {
    const kv = randomBytes(32);
    const k = await a.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(5),
      suid: 32,
      targetIDs: [B],
      keyValue: kv,
    });
    expect(k.connectionKey).toBeUndefined();
    expect(k.relativeKeyID).toMatch(/^[0-9a-f]{32}$/);
    expect((await b.retrieveKey(k.relativeKeyID)).keyValue.equals(kv)).toBe(true);
  });

  it('update moves the key to another target; only the Source updates or de-registers; then it is gone', async () => {
    const k = await saefKey();
    await refusedWith(b.updateKey(k.keyIdentifier, { targetIDs: [C] }), 'FORBIDDEN', /only the Source/);
    const up = await a.updateKey(k.keyIdentifier, { targetIDs: [C], labels: ['moved'] });
    expect(up.targetIDs).toEqual([C]);
    expect(up.labels).toEqual(['moved']);
    await refusedWith(b.retrieveKey(k.keyIdentifier), 'FORBIDDEN');
    expect((await c.retrieveKey(k.keyIdentifier)).keyValue.equals(k.connectionKey!.kc)).toBe(true);
    const later = inMinutes(30);
    expect((await a.updateKey(k.keyIdentifier, { expirationTime: later })).expirationTime).toBe(later);
    await refusedWith(c.deregisterKey(k.keyIdentifier), 'FORBIDDEN');
    await a.deregisterKey(k.keyIdentifier);
    await refusedWith(c.retrieveKey(k.keyIdentifier), 'NOT_FOUND');
    await refusedWith(a.deregisterKey(k.keyIdentifier), 'NOT_FOUND');
  });

  it('an expired key is neither retrieved nor updated, and the purge removes it', async () => {
    const k = await a.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: Date.now() + 1500,
      suid: 32,
      targetIDs: [B],
    });
    expect((await b.retrieveKey(k.relativeKeyID)).keyValue.length).toBe(32);
    await new Promise((r) => setTimeout(r, 1700));
    await refusedWith(b.retrieveKey(k.relativeKeyID), 'NOT_FOUND', /expired|no key registration/);
    await refusedWith(a.updateKey(k.relativeKeyID, { labels: ['late'] }), 'NOT_FOUND');
    expect(await t.maf.store.keyRegs.get(k.relativeKeyID)).toBeUndefined();
  });

  it('a key never outlives the Km of the session that registered it', async () => {
    const short = await t.client('//m2msec.org/Sshort', { expirationTime: inMinutes(2) });
    await short
      .registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) })
      .then((r) => expect(Date.parse(r.expirationTime)).toBeLessThanOrEqual(Date.now() + 2 * 60_000 + 1000));
    const k = await short.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(600),
      suid: 32,
      targetIDs: [B],
    });
    expect(Date.parse(k.expirationTime)).toBeLessThanOrEqual(Date.now() + 2 * 60_000 + 1000);
  });
});

describe('key notification: B holds Kc before A connects (m2msec extension, docs/maf.md)', () => {
  let notifier: Server;
  let cache: MafKeyCache;
  let bServer: ReturnType<typeof createTlsServer>;
  const refused: string[] = [];

  beforeAll(async () => {
    cache = new MafKeyCache({ mafFqdns: [MAF_FQDN], source: mafKeySource(b) });
    notifier = createHttpServer((req, res) => {
      let s = '';
      req.on('data', (d) => (s += d));
      req.on('end', async () => {
        const r = await handleMafKeyNotification(cache, JSON.parse(s));
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      });
    });
    await new Promise<void>((r) => notifier.listen(0, '127.0.0.1', r));
    const nu = `http://127.0.0.1:${(notifier.address() as AddressInfo).port}/.well-known/m2msec/maf-key`;
    await b.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60), notificationURI: nu });
    bServer = createTlsServer(
      pskServerOptions({ resolve: (id) => cache.lookup(id)?.kc, tls13: false, onRefused: (id) => refused.push(id) }),
      (s: TLSSocket) => s.end('hello from B\n'),
    );
    await new Promise<void>((r) => bServer.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    notifier?.close();
    bServer?.close();
    cache?.clear();
  });

  const connectOnce = (identity: string, key: Uint8Array) =>
    new Promise<string>((resolve, reject) => {
      const s = connect({
        host: '127.0.0.1',
        port: (bServer.address() as AddressInfo).port,
        ...pskClientOptions({ identity, key }),
      });
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });

  it("A's first handshake with B succeeds; after de-registration B drops Kc and refuses", async () => {
    const k = await saefKey();
    expect(k.notifiedTargets).toEqual({ [B]: 'held' });
    expect(cache.has(k.keyIdentifier)).toBe(true); // before A ever connects
    expect(await connectOnce(k.keyIdentifier, k.connectionKey!.kc)).toBe('hello from B\n');
    expect(refused).toEqual([]);
    expect(cache.lookup(k.keyIdentifier)?.entityId).toBe(A);
    const d = await a.deregisterKey(k.keyIdentifier);
    expect(d.notifiedTargets).toEqual({ [B]: 'released' });
    expect(cache.has(k.keyIdentifier)).toBe(false);
    await expect(connectOnce(k.keyIdentifier, k.connectionKey!.kc)).rejects.toThrow();
    expect(refused).toEqual([k.keyIdentifier]);
  });

  it('a key for another target is not held by B and its handshake fails', async () => {
    const k = await saefKey([C]);
    expect(k.notifiedTargets).toEqual({ [C]: 'not-registered' });
    await expect(connectOnce(k.keyIdentifier, k.connectionKey!.kc)).rejects.toThrow();
    // The miss started a retrieval, which the MAF refused (B is not a target): still not held.
    await new Promise((r) => setTimeout(r, 300));
    expect(cache.has(k.keyIdentifier)).toBe(false);
  });

  it('moving a key away from B makes B drop it', async () => {
    const k = await saefKey();
    expect(cache.has(k.keyIdentifier)).toBe(true);
    const up = await a.updateKey(k.keyIdentifier, { targetIDs: [C] });
    expect(up.notifiedTargets).toEqual({ [B]: 'released', [C]: 'not-registered' });
    expect(cache.has(k.keyIdentifier)).toBe(false);
  });
});
