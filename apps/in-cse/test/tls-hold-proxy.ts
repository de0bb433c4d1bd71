// A TCP proxy on loopback that forwards a TLS client's records to the server up to (not including) its
// first ChangeCipherSpec record and holds the rest (CCS + Finished) until released. The server has then
// run its pskCallback (on the ClientKeyExchange in TLS 1.2) but cannot complete the handshake: two
// clients held this way are two handshakes between check and completion at once, in any order we like.
import { connect, createServer, type Server, type Socket } from 'node:net';

const CHANGE_CIPHER_SPEC = 20;

export interface HeldConnection {
  /** Sends what was held and forwards everything from now on. */
  release(): void;
}

export interface HoldProxy {
  port: number;
  /** Resolves with the n-th connection once it is held at its ChangeCipherSpec (1-based). */
  held(n: number): Promise<HeldConnection>;
  close(): Promise<void>;
}

export async function startHoldProxy(targetPort: number): Promise<HoldProxy> {
  const held: HeldConnection[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('data', (d) => client.write(d));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let pending = Buffer.alloc(0);
    let holding = false;
    let released = false;
    client.on('data', (d: Buffer) => {
      if (released) return void upstream.write(d);
      pending = Buffer.concat([pending, d]);
      if (holding) return;
      // Forward whole records until a ChangeCipherSpec record starts.
      let at = 0;
      while (pending.length - at >= 5) {
        if (pending[at] === CHANGE_CIPHER_SPEC) {
          holding = true;
          break;
        }
        const len = pending.readUInt16BE(at + 3);
        if (pending.length - at < 5 + len) break;
        at += 5 + len;
      }
      if (at > 0) upstream.write(pending.subarray(0, at));
      pending = pending.subarray(at);
      if (holding) {
        held.push({
          release() {
            released = true;
            upstream.write(pending);
          },
        });
        for (const w of waiters.splice(0)) w();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    async held(n) {
      while (held.length < n) await new Promise<void>((r) => waiters.push(r));
      return held[n - 1]!;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
