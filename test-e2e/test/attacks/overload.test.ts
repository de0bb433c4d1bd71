// Attack family: connection exhaustion and handshake floods (issue 20 item 4; docs/hardening.md "Resource
// limits"). The secure IN-CSE process holds 5,000 idle TCP connections on its certificate listener (from
// 100 loopback source addresses, 50 each, under the per-peer cap) while other addresses flood it with TLS
// handshakes; a legitimate AE from 127.0.0.1 must still be served, each request on a fresh handshake
// within its 10 s timeout. The per-peer cap and the per-peer handshake rate refuse at accept time: the
// connection over the cap from one address is closed at once, and a plain-HTTP one gets 503 /
// X-M2M-RSC 5000. The limits here are tighter than the defaults so the test stays short on a small machine.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

const IDLE_ADDRESSES = 100;
const IDLE_PER_ADDRESS = 50;
const PER_PEER = 64;
const RATE = 20;
// The legitimate client's timeout: generous, the test runs on a small machine shared with other jobs.
const LEGIT_TIMEOUT_MS = 10_000;
/**
 * Opens `n` connections from one address, paced at half the per-peer rate: on a busy machine the server may
 * accept two batches at once, which must still fit in one second's tokens.
 */
async function openPaced(port: number, from: string, n: number): Promise<Socket[]> {
  const out: Socket[] = [];
  const batchSize = RATE / 2;
  for (let i = 0; i < n; i += batchSize) {
    const batch = await Promise.all(Array.from({ length: Math.min(batchSize, n - i) }, () => open(port, from)));
    out.push(...batch.map((b) => b.socket));
    await new Promise((r) => setTimeout(r, 1_050));
  }
  return out;
}
let t: SecureTarget;
const idle: Socket[] = [];

beforeAll(async () => {
  t = await startSecureTarget({
    aes: ['Clegit'],
    config: {
      // Handshake timeout long enough that the idle connections stay for the whole test.
      limits: { maxConnectionsPerPeer: PER_PEER, connectionsPerSecondPerPeer: RATE, handshakeTimeoutMs: 120_000 },
    },
  });
});
afterAll(async () => {
  for (const s of idle) s.destroy();
  await t?.stop();
});

/** A raw TCP connection from `localAddress`; resolves when connected, with whether it was closed within `watchMs`. */
function open(port: number, localAddress: string, watchMs = 0): Promise<{ socket: Socket; closedEarly: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port, localAddress });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (watchMs === 0) return resolve({ socket, closedEarly: false });
      const timer = setTimeout(() => resolve({ socket, closedEarly: false }), watchMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve({ socket, closedEarly: true });
      });
    });
    // A refusal can reset the connection before the client has seen its own connect.
    socket.once('close', () =>
      watchMs > 0
        ? resolve({ socket, closedEarly: true })
        : reject(new Error(`closed before connect from ${localAddress}`)),
    );
  });
}

/** One TLS handshake without a client certificate (refused by the listener, but the server did the work). */
function handshakeOnce(port: number, localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const raw = netConnect({ host: '127.0.0.1', port, localAddress });
    raw.on('error', () => undefined);
    const s = tlsConnect({ socket: raw, rejectUnauthorized: false });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.setTimeout(5_000, () => s.destroy());
  });
}

describe('connection limits', () => {
  it('5,000 idle connections and a handshake flood leave a legitimate client served within its timeout', async () => {
    // Open the idle connections paced under the per-peer rate, all addresses at once.
    const opened = await Promise.all(
      Array.from({ length: IDLE_ADDRESSES }, (_, a) => openPaced(t.certPort, `127.0.1.${a + 1}`, IDLE_PER_ADDRESS)),
    );
    idle.push(...opened.flat());
    expect(idle.length).toBe(IDLE_ADDRESSES * IDLE_PER_ADDRESS);
    expect(idle.filter((s) => s.destroyed).length).toBe(0);

    // The flood: 4 addresses, 32 loops each, handshake after handshake until the legitimate client is done.
    let flooding = true;
    let floodHandshakes = 0;
    const flood = Promise.all(
      Array.from({ length: 4 * 32 }, async (_, i) => {
        while (flooding) {
          await handshakeOnce(t.certPort, `127.0.2.${(i % 4) + 1}`);
          floodHandshakes++;
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000)); // the flood is under way
    const latencies: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const t0 = Date.now();
        const r = await t.as('Clegit', 'GET', '/cse-in/Clegit');
        latencies.push(Date.now() - t0);
        expect(r.rsc).toBe(2000);
      }
    } finally {
      flooding = false;
      await flood;
    }
    console.log(
      `overload: ${idle.length} idle connections, ${floodHandshakes} flood handshakes; legitimate requests max ${Math.max(...latencies)} ms`,
    );
    expect(Math.max(...latencies)).toBeLessThan(LEGIT_TIMEOUT_MS);
    expect(floodHandshakes).toBeGreaterThan(100);
    // Every idle connection is still open: the limits did not shed legitimate-looking slots.
    expect(idle.filter((s) => s.destroyed).length).toBe(0);
  });

  it('the connection over the per-peer cap is closed at once; another address is still accepted', async () => {
    const from = '127.0.3.1';
    const held: Socket[] = [];
    try {
      held.push(...(await openPaced(t.certPort, from, PER_PEER)));
      const over = await open(t.certPort, from, 2_000);
      expect(over.closedEarly).toBe(true);
      const other = await open(t.certPort, '127.0.3.2', 1_000);
      expect(other.closedEarly).toBe(false);
      other.socket.destroy();
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('more new connections per second than the rate from one address: the excess is closed at once', async () => {
    const from = '127.0.4.1';
    const results = await Promise.all(Array.from({ length: RATE * 2 }, () => open(t.certPort, from, 1_500)));
    for (const r of results) r.socket.destroy();
    const closed = results.filter((r) => r.closedEarly).length;
    expect(closed).toBeGreaterThanOrEqual(RATE - 10);
    expect(closed).toBeLessThan(RATE * 2);
  });

  it('plain HTTP: over the per-peer cap the answer is an immediate 503 with X-M2M-RSC 5000', async () => {
    const port = t.cse.port;
    const from = '127.0.5.1';
    const held: Socket[] = [];
    try {
      held.push(...(await openPaced(port, from, PER_PEER)));
      const s = netConnect({ host: '127.0.0.1', port, localAddress: from });
      const t0 = Date.now();
      const text = await new Promise<string>((resolve) => {
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/X-M2M-RSC: 5000/i);
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
