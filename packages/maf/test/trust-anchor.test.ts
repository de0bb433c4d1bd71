// The DerivedKey trust anchor inside the MAF (DESIGN 3): K_RS-TA in the MAF's secure environment; a MAF
// client mapped to a C_id gets DK.<TA_id>.<C_id>.<seq>.<random> and K_RS-C over its MAF Handshake; a
// resource server sharing only K_RS-TA (@m2msec/saef DerivedKeyResourceServer) accepts it in a TLS-PSK
// handshake; a revocation issued over the MAF Handshake reaches the resource server, which then
// refuses the identity. K_RS-C is checked against openssl's TLS1-PRF (P_SHA256) as an independent tool.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import {
  acceptDerivedKeySession,
  DerivedKeyResourceServer,
  type DerivedKeyWindowState,
  pskClientOptions,
  pskServerOptions,
} from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MafError, taKeyId } from '../src/index.js';
import { startTestMaf, type TestMaf } from './helpers.js';

const A = '//m2msec.org/id-in/Cdev1';
const OPS = '//m2msec.org/id-in/Cops';
const kRsTa = randomBytes(32);
let t: TestMaf;
let rs: DerivedKeyResourceServer;
let rsTls: TlsServer;
let rsHttp: Server;
let a: Awaited<ReturnType<TestMaf['client']>>;
let ops: Awaited<ReturnType<TestMaf['client']>>;
let other: Awaited<ReturnType<TestMaf['client']>>;

beforeAll(async () => {
  t = await startTestMaf();
  a = await t.client(A);
  ops = await t.client(OPS);
  other = await t.client('//m2msec.org/id-in/Cother');
  rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key: kRsTa }],
    state: t.store.collection<DerivedKeyWindowState>('rs-windows'),
    journalPath: join(t.dir, 'rs.journal'),
  });
  rsTls = createTlsServer(
    pskServerOptions({
      resolve: (id) => {
        const r = rs.check(id);
        return r.ok ? r.key : undefined;
      },
      tls13: false,
    }),
    // The window moves once the handshake proved K_RS-C; a refused acceptance destroys the socket.
    (s) => {
      if (acceptDerivedKeySession(rs, s)?.ok) s.end('rs ok\n');
    },
  );
  await new Promise<void>((r) => rsTls.listen(0, '127.0.0.1', r));
  rsHttp = createHttpServer((req, res) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', async () => {
      try {
        const revoked = await rs.applyRevocation(JSON.parse(s));
        res.writeHead(200).end(JSON.stringify({ revoked: revoked.map(String) }));
      } catch (e) {
        res.writeHead(400).end(JSON.stringify({ error: (e as Error).message }));
      }
    });
  });
  await new Promise<void>((r) => rsHttp.listen(0, '127.0.0.1', r));
  const put = await t.admin('PUT', '/admin/trust-anchors/ta1', {
    key: kRsTa.toString('hex'),
    clients: { [A]: 'dev1' },
    administrators: [OPS],
    resourceServers: [`http://127.0.0.1:${(rsHttp.address() as AddressInfo).port}/dk-revocation`],
  });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  rsTls?.close();
  rsHttp?.close();
  await rs?.close();
  await t?.close();
});

const handshake = (identity: string, key: Uint8Array) =>
  new Promise<string>((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port: (rsTls.address() as AddressInfo).port,
      ...pskClientOptions({ identity, key }),
    });
    let d = '';
    s.on('data', (c) => (d += c));
    s.on('end', () => resolve(d));
    s.on('error', reject);
  });

describe('DerivedKey trust anchor in the MAF', () => {
  it('K_RS-TA is an SE key of the MAF that cannot be wrapped out', async () => {
    const h = await t.se.getKey(taKeyId('ta1'));
    expect(h?.exportable).toBe(false);
    expect(h?.usages).not.toContain('wrap');
    expect(JSON.stringify(await t.admin('GET', '/admin/trust-anchors'))).not.toContain(kRsTa.toString('hex'));
  });

  it('issues over the MAF Handshake; the resource server derives the same K_RS-C (and openssl agrees)', async () => {
    const g = await a.requestDerivedKey('ta1');
    expect(g.identity).toMatch(/^DK\.ta1\.dev1\.\d+\.[0-9a-f]{32}$/);
    const openssl = spawnSync(
      'openssl',
      [
        'kdf',
        '-keylen',
        '32',
        '-kdfopt',
        'digest:SHA256',
        '-kdfopt',
        `hexsecret:${kRsTa.toString('hex')}`,
        '-kdfopt',
        `hexseed:${Buffer.from(g.identity).toString('hex')}`,
        'TLS1-PRF',
      ],
      { encoding: 'utf8' },
    );
    // TLS1-PRF with an empty label is P_SHA256(secret, seed).
    expect(openssl.stdout.trim().replace(/:/g, '').toLowerCase()).toBe(g.key.toString('hex'));
    expect(await handshake(g.identity, g.key)).toBe('rs ok\n');
    const g2 = await a.requestDerivedKey('ta1');
    expect(g2.sequenceNumber).toBe(g.sequenceNumber + 1n);
  });

  it('refuses clients the stakeholder did not map, and unknown trust anchors', async () => {
    await expect(other.requestDerivedKey('ta1')).rejects.toThrow(/not a client of trust anchor/);
    await expect(a.requestDerivedKey('ta9')).rejects.toMatchObject({ code: 'NOT_FOUND' } satisfies Partial<MafError>);
  });

  it('the holder revokes its own grant; the RS gets it and refuses the identity; others may not revoke it', async () => {
    const g = await a.requestDerivedKey('ta1');
    await expect(other.revokeDerivedKeys('ta1', [g.sequenceNumber])).rejects.toThrow(/was not issued to/);
    const r = (await a.revokeDerivedKeys('ta1', [g.sequenceNumber])) as { delivered: Record<string, number> };
    expect(Object.values(r.delivered)).toEqual([200]);
    await expect(handshake(g.identity, g.key)).rejects.toThrow();
  });

  it('a TA administrator revokes any sequence number', async () => {
    const g = await a.requestDerivedKey('ta1');
    expect(await handshake(g.identity, g.key)).toBe('rs ok\n');
    const fresh = await a.requestDerivedKey('ta1');
    await ops.revokeDerivedKeys('ta1', [fresh.sequenceNumber]);
    await expect(handshake(fresh.identity, fresh.key)).rejects.toThrow();
  });
});
