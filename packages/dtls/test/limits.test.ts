// Attack family: DTLS handshake floods and session exhaustion (issue 20 item 4; docs/hardening.md "Resource
// limits"). The attacker completes the cookie exchange (so it owns its source address) and then stalls: the
// server holds a half-open association until the handshake timeout. Without the limits one address (many
// ports) or a burst of stalled handshakes fills every slot and a legitimate client is refused. Sources are
// distinct loopback addresses (127.0.0.0/8), so "one peer address" is real here.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DtlsServer, type DtlsServerOptions, type DtlsSession, dtlsConnect, loadDtls } from '../src/index.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const servers: DtlsServer[] = [];
const sockets: Socket[] = [];

async function echoServer(extra: Partial<DtlsServerOptions>) {
  const server = new DtlsServer({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === 'client1' ? KEY : undefined),
    onSession: (s: DtlsSession) => {
      s.onData = (d) => s.send(Buffer.concat([Buffer.from('echo:'), d]));
      return true;
    },
    ...extra,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const s of servers.splice(0)) await s.close();
});

const dropped = (s: DtlsServer) =>
  s.stats.droppedAtCap + s.stats.droppedHandshakeCap + s.stats.droppedPeerCap + s.stats.droppedPeerRate;

async function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Starts a stalled handshake from `from`: ClientHello, HelloVerifyRequest, ClientHello with the cookie,
 * then silence. `open()` turns true when the server answered the second ClientHello (it holds an
 * association now).
 */
async function startStall(port: number, from: string): Promise<{ replies: () => number; open: () => boolean }> {
  const native = loadDtls();
  const ctx = native.createContext({
    server: false,
    ciphers: 'PSK-AES128-CCM8',
    pskIdentity: Buffer.from('client1'),
    pskKey: KEY,
  });
  const conn = native.newConnection(ctx, Buffer.alloc(0));
  const sock = createSocket('udp4');
  sockets.push(sock);
  await new Promise<void>((r) => sock.bind(0, from, r));
  let replies = 0;
  sock.on('message', (m) => {
    replies++;
    if (replies === 1) for (const d of native.feed(conn, m).out) sock.send(d, port, '127.0.0.1');
  });
  for (const d of native.connect(conn).out) sock.send(d, port, '127.0.0.1');
  return { replies: () => replies, open: () => replies >= 2 };
}

/**
 * One stalled handshake at a time: 'open' when the server keeps it, 'dropped' when one of its limits
 * refused it. Only for sequential use: a drop is attributed to this handshake because nothing else is in
 * flight (concurrent handshakes are counted as a whole, see the burst test).
 */
async function stall(server: DtlsServer, port: number, from: string): Promise<'open' | 'dropped'> {
  const before = dropped(server);
  const s = await startStall(port, from);
  let result: 'open' | 'dropped' | undefined;
  await until('the server to keep or drop the handshake', () => {
    if (s.open()) result = 'open';
    else if (s.replies() >= 1 && dropped(server) > before) result = 'dropped';
    return result !== undefined;
  });
  return result!;
}

async function echo(port: number, from: string): Promise<string> {
  const c = await dtlsConnect({
    host: '127.0.0.1',
    port,
    localAddress: from,
    psk: { identity: 'client1', key: KEY },
    handshakeTimeoutMs: 15_000,
  });
  try {
    const reply = new Promise<string>((r) => {
      c.onData = (d) => r(d.toString());
    });
    c.send(Buffer.from('hi'));
    return await reply;
  } finally {
    c.close();
  }
}

describe('DTLS listener limits', () => {
  it('one address with many ports holds at most maxSessionsPerPeer associations; another address is served', async () => {
    const { server, port } = await echoServer({ maxSessionsPerPeer: 3, handshakesPerSecondPerPeer: 1000 });
    const results: string[] = [];
    for (let i = 0; i < 8; i++) results.push(await stall(server, port, '127.0.0.2'));
    expect(results.filter((r) => r === 'open')).toHaveLength(3);
    expect(server.stats.droppedPeerCap).toBe(5);
    expect(server.openFrom('127.0.0.2')).toBe(3);
    expect(await echo(port, '127.0.0.3')).toBe('echo:hi');
  });

  it('stalled handshakes from many addresses take at most maxHandshakes; established sessions keep being served', async () => {
    const { server, port } = await echoServer({ maxSessions: 20, maxHandshakes: 4, handshakeTimeoutMs: 1500 });
    const legit = await dtlsConnect({
      host: '127.0.0.1',
      port,
      localAddress: '127.0.0.10',
      psk: { identity: 'client1', key: KEY },
    });
    const results: string[] = [];
    for (let i = 0; i < 12; i++) results.push(await stall(server, port, `127.0.1.${i + 1}`));
    expect(results.filter((r) => r === 'open')).toHaveLength(4);
    expect(server.stats.droppedHandshakeCap).toBe(8);
    expect(server.handshakesInProgress).toBe(4);
    expect(server.sessionCount).toBe(5);
    const reply = new Promise<string>((r) => {
      legit.onData = (d) => r(d.toString());
    });
    legit.send(Buffer.from('still here'));
    expect(await reply).toBe('echo:still here');
    legit.close();
    // The stalled ones expire at the handshake timeout and free their slots for new clients.
    await until('stalled handshakes to expire', () => server.handshakesInProgress === 0);
    expect(await echo(port, '127.0.0.11')).toBe('echo:hi');
  });

  it('a burst of new associations from one address is cut at handshakesPerSecondPerPeer', async () => {
    const { server, port } = await echoServer({ handshakesPerSecondPerPeer: 4, maxSessionsPerPeer: 1000 });
    // All sixteen at once: which one a drop belongs to is not observable, so the burst is counted whole,
    // once every handshake is either held by the server or counted as dropped by the rate limit.
    const burst = await Promise.all(Array.from({ length: 16 }, () => startStall(port, '127.0.0.20')));
    const opened = () => burst.filter((s) => s.open()).length;
    await until(
      'every handshake of the burst to be kept or dropped',
      () => opened() + server.stats.droppedPeerRate >= 16,
    );
    const open = opened();
    // Four tokens at once, plus what refills while the burst is served on a loaded machine.
    expect(open).toBeGreaterThanOrEqual(4);
    expect(open).toBeLessThan(10);
    expect(server.stats.droppedPeerRate).toBe(16 - open);
    expect(await echo(port, '127.0.0.21')).toBe('echo:hi');
  });

  it('refuses limits that are not positive integers', () => {
    expect(
      () => new DtlsServer({ host: '127.0.0.1', port: 0, psk: () => KEY, onSession: () => true, maxHandshakes: 0 }),
    ).toThrow(/maxHandshakes must be an integer >= 1/);
  });
});
