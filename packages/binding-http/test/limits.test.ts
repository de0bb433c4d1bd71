// Connection limits at accept time (src/limits.ts): per-peer cap answered 503 / 5000 on plain HTTP,
// per-peer new-connection rate, a slot freed by a close is usable again, invalid limits refused.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyConnectionLimits, checkConnectionLimits } from '../src/limits.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function listen(limits: Parameters<typeof applyConnectionLimits>[1]) {
  server = createServer((_q, r) => r.end('ok'));
  const l = applyConnectionLimits(server, limits);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, l };
}

/** Connects from `from`; resolves with what the server sent before closing (or '' if still open after 500 ms). */
function probe(port: number, from: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from });
    sockets.push(s);
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('error', () => undefined);
    const t = setTimeout(() => resolve(''), 500);
    s.on('close', () => {
      clearTimeout(t);
      resolve(out || 'closed');
    });
  });
}

describe('applyConnectionLimits', () => {
  it('the connection over the per-peer cap gets 503 / X-M2M-RSC 5000; another peer is accepted', async () => {
    const { port, l } = await listen({ maxConnectionsPerPeer: 2 });
    expect(await probe(port, '127.0.7.1')).toBe('');
    expect(await probe(port, '127.0.7.1')).toBe('');
    const over = await probe(port, '127.0.7.1');
    expect(over).toMatch(/^HTTP\/1\.1 503 /);
    expect(over).toMatch(/X-M2M-RSC: 5000/);
    expect(await probe(port, '127.0.7.2')).toBe('');
    expect(l.refused.peer).toBe(1);
    expect(l.openFrom('127.0.7.1')).toBe(2);
  });

  it('a closed connection frees its slot', async () => {
    const { port, l } = await listen({ maxConnectionsPerPeer: 1 });
    expect(await probe(port, '127.0.7.3')).toBe('');
    sockets.pop()!.destroy();
    const deadline = Date.now() + 5_000;
    while (l.openFrom('127.0.7.3') > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await probe(port, '127.0.7.3')).toBe('');
  });

  it('new connections beyond the per-peer rate are refused', async () => {
    const { port, l } = await listen({ connectionsPerSecondPerPeer: 3 });
    const results = await Promise.all(Array.from({ length: 6 }, () => probe(port, '127.0.7.4')));
    expect(results.filter((r) => r.startsWith('HTTP/1.1 503')).length).toBeGreaterThanOrEqual(2);
    expect(l.refused.rate).toBeGreaterThanOrEqual(2);
  });

  it('refuses limits that are not integers >= 1', () => {
    expect(() => checkConnectionLimits({ maxConnections: 0 })).toThrow(/maxConnections/);
    expect(() => checkConnectionLimits({ handshakeTimeoutMs: 1.5 })).toThrow(/handshakeTimeoutMs/);
    expect(checkConnectionLimits({}).maxConnectionsPerPeer).toBe(256);
  });
});
