// DTLS 1.2 client (PSK or certificate) over its own UDP socket; resolves with the established session.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { loadDtls, type NativeResult } from './native.js';
import { cipherList } from './profile.js';
import { DtlsSession } from './session.js';

export interface DtlsConnectOptions {
  host: string;
  port: number;
  psk?: { identity: Buffer | string; key: Buffer };
  certificate?: { certPem: string; keyPem: string };
  /** Trust anchors for the server certificate (certificate mode); required when `certificate` or no psk. */
  caPem?: string;
  /** Extra check of the server certificate; undefined accepts. */
  verifyServer?: (ders: Buffer[], chainError: number) => string | undefined;
  handshakeTimeoutMs?: number;
  mtu?: number;
  /** Source address to bind (a host with several addresses; tests use 127.0.0.0/8). */
  localAddress?: string;
}

export class DtlsHandshakeError extends Error {
  override readonly name = 'DtlsHandshakeError';
  constructor(
    message: string,
    readonly alertSent?: string,
    readonly alertReceived?: string,
  ) {
    super(message);
  }
}

export async function dtlsConnect(opts: DtlsConnectOptions): Promise<DtlsSession> {
  const native = loadDtls();
  const certificate = opts.certificate !== undefined || opts.psk === undefined;
  const ctx = native.createContext({
    server: false,
    ciphers: cipherList({ psk: opts.psk !== undefined, certificate }),
    mtu: opts.mtu ?? 1280,
    ...(opts.psk === undefined
      ? {}
      : {
          pskIdentity: Buffer.isBuffer(opts.psk.identity) ? opts.psk.identity : Buffer.from(opts.psk.identity),
          pskKey: opts.psk.key,
        }),
    ...(opts.certificate === undefined ? {} : { certPem: opts.certificate.certPem, keyPem: opts.certificate.keyPem }),
    ...(opts.caPem === undefined ? {} : { caPem: opts.caPem }),
    ...(opts.verifyServer === undefined ? {} : { verify: opts.verifyServer }),
  });
  const socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    const connect = () =>
      socket.connect(opts.port, opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    if (opts.localAddress === undefined) connect();
    else socket.bind(0, opts.localAddress, connect);
  });
  socket.on('error', () => {});
  const conn = native.newConnection(ctx, Buffer.alloc(0));
  const peer = { address: opts.host, port: opts.port };
  const send = (d: Buffer) => socket.send(d);
  let session: DtlsSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const shut = () => {
    if (closed) return;
    closed = true;
    if (timer) clearTimeout(timer);
    try {
      socket.close();
    } catch {}
  };

  return await new Promise<DtlsSession>((resolve, reject) => {
    const deadline = setTimeout(
      () => fail({ state: 2, out: [], error: 'handshake timed out' }),
      opts.handshakeTimeoutMs ?? 10_000,
    );
    const fail = (r: NativeResult) => {
      clearTimeout(deadline);
      try {
        native.close(conn);
      } catch {}
      shut();
      reject(
        new DtlsHandshakeError(
          `DTLS handshake failed: ${r.error ?? 'unknown'}${r.alertReceived ? ` (alert received: ${r.alertReceived})` : ''}${r.alertSent ? ` (alert sent: ${r.alertSent})` : ''}`,
          r.alertSent,
          r.alertReceived,
        ),
      );
    };
    const handle = (r: NativeResult) => {
      for (const d of r.out) send(d);
      if (r.state === 2) {
        if (session === undefined) return fail(r);
        session.ended(r.error ?? 'closed');
        shut();
        return;
      }
      if (timer) clearTimeout(timer);
      timer = undefined;
      if ((r.timeoutMs ?? -1) >= 0) {
        timer = setTimeout(
          () => {
            timer = undefined;
            if (!closed) handle(native.timeout(conn));
          },
          (r.timeoutMs ?? 0) + 1,
        );
      }
      if (r.state === 1 && session === undefined) {
        clearTimeout(deadline);
        session = new DtlsSession(native, conn, peer, send, shut);
        resolve(session);
      }
      if (session !== undefined) for (const a of r.app ?? []) session.onData?.(a);
    };
    socket.on('message', (msg) => {
      if (closed) return;
      handle(native.feed(conn, msg));
    });
    handle(native.connect(conn));
  });
}
