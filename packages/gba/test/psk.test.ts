// End to end: bootstrap over HTTP, Ks_NAF to the NAF over Zn (HTTPS, client certificate), then the TLS-PSK
// association device <-> NAF (psk_identity = B-TID, psk = Ks_NAF), with Node and with openssl s_client.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrap,
  GBA_PSK_IDENTITY_HINT,
  gateNafHandshakes,
  NafKeyCache,
  nafTlsPskOptions,
  Usim,
  uePskForNaf,
  ueTlsPskOptions,
  ZnClient,
} from '../src/index.js';
import { type BsfFixture, startBsf } from './helpers/fixture.js';
import { issue, makeCa } from './helpers/pki.js';
import { hex, opensslPskClient } from './helpers/tools.js';
import { startZn } from './helpers/zn-server.js';

const NAF = 'maf.example.com';
let f: BsfFixture;
let zn: Awaited<ReturnType<typeof startZn>>;
let dir: string;
let cache: NafKeyCache;
let fetches: string[];
let naf: tls.Server;
let nafPort: number;
let gatedCache: NafKeyCache;
let gatedFetches: string[];
let gate: import('node:net').Server;
let gatedPort: number;
const hints: (string | null)[] = [];

async function newDevice(n: string) {
  const s = { impi: `${n}@ims.example.com`, k: randomBytes(16), op: randomBytes(16) };
  await f.bsf.subscribers.provision({ ...s, enrolmentTargets: [NAF] });
  return bootstrap({ url: f.ubUrl, impi: s.impi, usim: new Usim({ k: s.k, op: s.op }) });
}

/** The device's TLS-PSK connection; resolves with what the NAF sent, rejects when the handshake fails. */
function connect(options: tls.ConnectionOptions, port = nafPort): Promise<string> {
  return new Promise((resolve, reject) => {
    const pskCallback = options.pskCallback!;
    const socket = tls.connect({
      ...options,
      host: '127.0.0.1',
      port,
      pskCallback: (hint) => {
        hints.push(hint);
        return pskCallback(hint);
      },
    });
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString();
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gba-psk-'));
  const ca = makeCa(dir, 'naf-ca');
  const server = issue(ca, 'bsf', 'IP:127.0.0.1', 'server');
  const mafCert = issue(ca, 'maf', `DNS:${NAF}`);
  f = await startBsf();
  zn = await startZn(f.bsf, server, ca.cert);
  const client = new ZnClient({
    url: zn.httpsUrl,
    nafFqdn: NAF,
    agent: new https.Agent({ ca: [ca.cert], key: mafCert.key, cert: mafCert.cert, keepAlive: true }),
  });
  fetches = [];
  cache = new NafKeyCache({
    zn: {
      fetchKsNaf: (btid) => {
        fetches.push(btid);
        return client.fetchKsNaf(btid);
      },
    },
    now: () => f.clock.now,
  });
  naf = tls.createServer(nafTlsPskOptions(cache), (socket) =>
    socket.end(`hello from the NAF, ${socket.getCipher().name}\n`),
  );
  naf.on('tlsClientError', () => {});
  naf.listen(0, '127.0.0.1');
  await once(naf, 'listening');
  nafPort = (naf.address() as AddressInfo).port;

  // A second NAF behind the handshake gate, with its own (empty) cache.
  gatedFetches = [];
  gatedCache = new NafKeyCache({
    zn: {
      fetchKsNaf: (btid) => {
        gatedFetches.push(btid);
        return client.fetchKsNaf(btid);
      },
    },
    now: () => f.clock.now,
  });
  const gatedTls = tls.createServer(
    nafTlsPskOptions(gatedCache, { ciphers: 'PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA256' }),
    (socket) => socket.end(`gated hello, ${socket.getCipher().name}\n`),
  );
  gatedTls.on('tlsClientError', () => {});
  gate = gateNafHandshakes(gatedTls, gatedCache);
  gate.listen(0, '127.0.0.1');
  await once(gate, 'listening');
  gatedPort = (gate.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  gate.close();
  naf.close();
  zn.close();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS-PSK between device and NAF with the GBA key', () => {
  it('announced B-TID: the NAF prefetches Ks_NAF over Zn; Node client and openssl s_client both associate', async () => {
    const session = await newDevice('d1');
    const key = await cache.prefetch(session.btid);
    expect(key.ksNaf).toEqual(session.deriveKsNaf(NAF));
    expect(cache.lookup(session.btid)?.impi).toBe('d1@ims.example.com');

    const greeting = await connect(ueTlsPskOptions(session, NAF));
    expect(greeting).toBe('hello from the NAF, PSK-AES128-CBC-SHA256\n');
    expect(hints.at(-1)).toBe(GBA_PSK_IDENTITY_HINT);

    // openssl as an independent TLS-PSK client, with the device's Ks_NAF in hex and the B-TID as identity.
    const { identity, psk } = uePskForNaf(session, NAF);
    expect(identity).toBe(session.btid);
    const o = await opensslPskClient(nafPort, identity, hex(psk), '');
    expect(o.out).toContain('hello from the NAF, PSK-AES128-CBC-SHA256');
    expect(fetches.filter((b) => b === session.btid)).toHaveLength(1);
  });

  it('unannounced B-TID: the first handshake is refused and starts the Zn fetch; the retry succeeds', async () => {
    const session = await newDevice('d2');
    await expect(connect(ueTlsPskOptions(session, NAF))).rejects.toThrow();
    // The background fetch fills the cache (poll generously: the machine may be busy).
    for (let i = 0; i < 300 && !cache.lookup(session.btid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(cache.lookup(session.btid)).toBeDefined();
    expect(await connect(ueTlsPskOptions(session, NAF))).toMatch(/hello from the NAF/);
  });

  it('a key for another NAF FQDN does not associate; openssl with a wrong key neither', async () => {
    const session = await newDevice('d3');
    await cache.prefetch(session.btid);
    await expect(connect(ueTlsPskOptions(session, 'in-cse.sp.example.com'))).rejects.toThrow();
    const o = await opensslPskClient(nafPort, session.btid, hex(randomBytes(32)), '');
    expect(o.out).not.toContain('hello from the NAF');
    expect(o.code).not.toBe(0);
  });

  it('identities that are not B-TIDs are refused without asking the BSF', async () => {
    const before = fetches.length;
    const o = await opensslPskClient(nafPort, 'not-a-btid', hex(randomBytes(32)), '');
    expect(o.out).not.toContain('hello from the NAF');
    expect(fetches.length).toBe(before);
  });

  it('an expired key is dropped from the cache; the BSF no longer serves it either', async () => {
    const session = await newDevice('d4');
    await cache.prefetch(session.btid);
    f.clock.now += 3601_000;
    try {
      expect(cache.lookup(session.btid)).toBeUndefined();
      await expect(cache.prefetch(session.btid)).rejects.toMatchObject({ status: 404 });
      expect(() => session.deriveKsNaf(NAF)).not.toThrow(); // the device's clock is real time, not the test clock
    } finally {
      f.clock.now -= 3601_000;
    }
  });
});

describe('the handshake gate: a B-TID announced in the ClientKeyExchange is fetched before the key is needed', () => {
  it('first handshake of an unannounced device succeeds (Node client), one Zn fetch', async () => {
    const session = await newDevice('g1');
    expect(gatedCache.lookup(session.btid)).toBeUndefined();
    expect(await connect(ueTlsPskOptions(session, NAF), gatedPort)).toBe('gated hello, PSK-AES128-CBC-SHA256\n');
    expect(gatedFetches.filter((b) => b === session.btid)).toHaveLength(1);
    // Later connections use the cached key.
    expect(await connect(ueTlsPskOptions(session, NAF), gatedPort)).toMatch(/gated hello/);
    expect(gatedFetches.filter((b) => b === session.btid)).toHaveLength(1);
  });

  it('openssl s_client, unannounced, first attempt; and an ECDHE-PSK suite', async () => {
    const session = await newDevice('g2');
    const { identity, psk } = uePskForNaf(session, NAF);
    const o = await opensslPskClient(gatedPort, identity, hex(psk), '');
    expect(o.out).toContain('gated hello, PSK-AES128-CBC-SHA256');
    const session3 = await newDevice('g3');
    const ecdhe = await connect(ueTlsPskOptions(session3, NAF, { ciphers: 'ECDHE-PSK-AES128-CBC-SHA256' }), gatedPort);
    expect(ecdhe).toBe('gated hello, ECDHE-PSK-AES128-CBC-SHA256\n');
  });

  it('refusals through the gate: wrong key, unknown B-TID (fetched once, not again at once), non-B-TID identity', async () => {
    const session = await newDevice('g4');
    await expect(connect(ueTlsPskOptions(session, 'other.example.com'), gatedPort)).rejects.toThrow();
    const unknown = `${randomBytes(16).toString('base64')}@bsf.mef.example.com`;
    const o1 = await opensslPskClient(gatedPort, unknown, hex(randomBytes(32)), '');
    expect(o1.out).not.toContain('gated hello');
    const o2 = await opensslPskClient(gatedPort, unknown, hex(randomBytes(32)), '');
    expect(o2.out).not.toContain('gated hello');
    expect(gatedFetches.filter((b) => b === unknown)).toHaveLength(1);
    const before = gatedFetches.length;
    const o3 = await opensslPskClient(gatedPort, 'just-a-name', hex(randomBytes(32)), '');
    expect(o3.out).not.toContain('gated hello');
    expect(gatedFetches.length).toBe(before);
  });
});
