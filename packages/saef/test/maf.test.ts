// MAF-based SAEF (TS-0003 8.2.2.3): a MAF stand-in (a TLS-PSK server with Km) where A performs the MAF
// Handshake; both ends take Kc/KcID from the "EXPORTER-oneM2M-Connection" exporter; B (a TLS-PSK
// server) retrieves Kc by hex(KcID)@MAF-FQDN through MafKeySource; the client SDK retries once.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectionKeyFromMafSession,
  MafKeyCache,
  type MafKeyRecord,
  OneM2MClient,
  pskClientOptions,
  pskIdentityOf,
  pskServerOptions,
} from '../src/index.js';

const MAF = 'maf.m2msec.org';
const kmId = 'km-ae1@maf.m2msec.org';
const km = randomBytes(32);
// @types/node declares the exporter's context required; Node accepts it omitted (RFC 5705 "no context", which in
// TLS 1.2 differs from an empty context and is what the oneM2M exporter labels use).
const exporterOf = (s: TLSSocket) =>
  s.exportKeyingMaterial.bind(s) as (length: number, label: string, context?: Buffer) => Buffer;

// The MAF stand-in: registers the Kc of each MAF Handshake (Key Registration) for retrieval by B.
const registered = new Map<string, MafKeyRecord>();
const maf = createServer(pskServerOptions({ resolve: (id) => (id === kmId ? km : undefined) }), (s: TLSSocket) => {
  const k = connectionKeyFromMafSession(exporterOf(s), MAF);
  registered.set(k.keyIdentifier, { kc: k.kc, expiresAt: Date.now() + 60_000, suid: 32, entityId: 'Cmaf1' });
  s.end('registered\n');
});

afterAll(() => maf.close());

describe('MAF-based SAEF', () => {
  it('A and B reach the same Kc; B serves it after retrieval, the SDK retry makes the first call succeed', async () => {
    await new Promise<void>((r) => maf.listen(0, '127.0.0.1', r));
    const mafPort = (maf.address() as AddressInfo).port;
    // A: MAF Handshake, then Kc from its own side of the exporter.
    const a = await new Promise<ReturnType<typeof connectionKeyFromMafSession>>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: mafPort, ...pskClientOptions({ identity: kmId, key: km }) }, () => {
        resolve(connectionKeyFromMafSession(exporterOf(s), MAF));
      });
      s.on('error', reject);
      s.on('data', () => s.end());
    });
    expect(a.keyIdentifier).toMatch(/^[0-9a-f]{32}@maf\.m2msec\.org$/);
    await new Promise((r) => setTimeout(r, 50));
    expect(registered.get(a.keyIdentifier)?.kc).toEqual(a.kc);

    let retrievals = 0;
    const cache = new MafKeyCache({
      mafFqdns: [MAF],
      source: {
        async retrieve(id) {
          retrievals++;
          return registered.get(id);
        },
      },
    });
    expect(cache.isMafIdentity('00112233445566778899aabbccddeeff@other.org')).toBe(false);
    const b = createHttpsServer(pskServerOptions({ resolve: (id) => cache.lookup(id)?.kc }), (req, res) => {
      res.setHeader('X-M2M-RSC', '2000');
      res.end(JSON.stringify({ identity: pskIdentityOf(req.socket as TLSSocket) }));
    });
    await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
    const client = new OneM2MClient({
      baseUrl: `https://127.0.0.1:${(b.address() as AddressInfo).port}`,
      framework: { kind: 'maf', keyIdentifier: a.keyIdentifier, kc: a.kc },
    });
    const r = await client.request({ op: 2, to: 'cse-in', from: 'Cmaf1' });
    expect(r.rsc).toBe(2000);
    expect(r.pc).toEqual({ identity: a.keyIdentifier });
    expect(retrievals).toBe(1);
    client.close();

    // An expired Kc is refused.
    cache.deliver(a.keyIdentifier, { kc: a.kc, expiresAt: Date.now() + 30 });
    await new Promise((res) => setTimeout(res, 60));
    registered.delete(a.keyIdentifier);
    expect(cache.lookup(a.keyIdentifier)).toBeUndefined();
    b.close();
  });
});
