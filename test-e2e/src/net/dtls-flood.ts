// Attack tools against a DTLS listener (issue 20 item 4), driven through @m2msec/dtls's OpenSSL addon so the
// datagrams are genuine DTLS 1.2: a cookie-less ClientHello (what a spoofed-source flood can send), and a
// stalled handshake (the attacker owns its address, completes the cookie exchange, then goes silent).
import { createSocket, type Socket } from 'node:dgram';
import { loadDtls } from '@m2msec/dtls';

const KEY = Buffer.alloc(16, 1);

function clientConnection() {
  const native = loadDtls();
  const ctx = native.createContext({
    server: false,
    ciphers: 'PSK-AES128-CCM8',
    pskIdentity: Buffer.from('flood'),
    pskKey: KEY,
  });
  return { native, conn: native.newConnection(ctx, Buffer.alloc(0)) };
}

/** One genuine initial ClientHello datagram (no cookie). */
export function initialClientHello(): Buffer {
  const { native, conn } = clientConnection();
  const hello = native.connect(conn).out[0]!;
  native.close(conn);
  return hello;
}

export interface Stall {
  result: 'open' | 'dropped';
  socket: Socket;
}

/**
 * A stalled handshake from `from` to 127.0.0.1:`port`. 'open' once the server answered the ClientHello with
 * the cookie (it holds a half-open association now); 'dropped' when it said nothing within `quietMs`.
 * The socket stays bound until the caller closes it.
 */
export async function stalledHandshake(port: number, from: string, quietMs = 3_000): Promise<Stall> {
  const { native, conn } = clientConnection();
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.bind(0, from, r));
  return new Promise<Stall>((resolve) => {
    let replies = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (result: Stall['result']) => {
      if (timer) clearTimeout(timer);
      socket.removeAllListeners('message');
      try {
        native.close(conn);
      } catch {}
      resolve({ result, socket });
    };
    socket.on('message', (m) => {
      replies++;
      if (replies > 1) return done('open');
      for (const d of native.feed(conn, m).out) socket.send(d, port, '127.0.0.1');
      clearTimeout(timer);
      timer = setTimeout(() => done('dropped'), quietMs);
    });
    for (const d of native.connect(conn).out) socket.send(d, port, '127.0.0.1');
    // No HelloVerifyRequest at all: the listener is not there or dropped the first datagram.
    timer = setTimeout(() => done('dropped'), quietMs * 2);
  });
}
