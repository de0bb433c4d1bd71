import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DtlsServer, type DtlsServerOptions, type DtlsSession, dtlsConnect, loadDtls } from '../src/index.js';
import { makePki } from './pki.js';
import { sClient } from './s-client.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const servers: DtlsServer[] = [];

async function echoServer(extra: Partial<DtlsServerOptions> = {}) {
  const sessions: DtlsSession[] = [];
  const failures: { alertSent?: string; error?: string }[] = [];
  const server = new DtlsServer({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === 'client1' ? KEY : undefined),
    onSession: (s) => {
      sessions.push(s);
      s.onData = (d) => s.send(Buffer.concat([Buffer.from('echo:'), d]));
      return true;
    },
    onHandshakeFailure: (_p, f) => failures.push(f),
    ...extra,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, sessions, failures };
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('DTLS 1.2 server on the system OpenSSL', () => {
  it('completes a PSK handshake with openssl s_client using the TS-0003 10.2.2 DTLS suite and carries data', async () => {
    const { port, sessions } = await echoServer();
    const r = await sClient(port, [
      '-psk',
      KEY.toString('hex'),
      '-psk_identity',
      'client1',
      '-cipher',
      'PSK-AES128-CCM8',
    ]);
    expect(r.handshake).toBe(true);
    expect(r.cipher).toBe('PSK-AES128-CCM8');
    expect(r.output).toContain('echo:ping');
    expect(sessions[0]?.pskIdentity?.toString()).toBe('client1');
  });

  it('refuses an unknown PSK identity with an unknown_psk_identity alert', async () => {
    const { port, failures, sessions } = await echoServer();
    const r = await sClient(port, ['-psk', KEY.toString('hex'), '-psk_identity', 'intruder']);
    expect(r.handshake).toBe(false);
    expect(r.output).toMatch(/unknown psk identity/i);
    expect(sessions).toHaveLength(0);
    expect(failures[0]?.alertSent).toBe('unknown PSK identity');
  });

  it('refuses a wrong key, and the legitimate client still connects afterwards', async () => {
    const { port, sessions } = await echoServer({ handshakeTimeoutMs: 500 });
    await expect(
      dtlsConnect({
        host: '127.0.0.1',
        port,
        psk: { identity: 'client1', key: Buffer.alloc(16, 7) },
        handshakeTimeoutMs: 1500,
      }),
    ).rejects.toThrow(/handshake/);
    expect(sessions).toHaveLength(0);
    const ok = await dtlsConnect({ host: '127.0.0.1', port, psk: { identity: 'client1', key: KEY } });
    const reply = new Promise<string>((r) => {
      ok.onData = (d) => r(d.toString());
    });
    ok.send(Buffer.from('hi'));
    expect(await reply).toBe('echo:hi');
    ok.close();
  });

  it('answers a ClientHello without cookie with a HelloVerifyRequest and keeps no state (RFC 6347 4.2.1)', async () => {
    const { server, port } = await echoServer();
    // A genuine first ClientHello, produced by a client context, sent from a raw socket.
    const native = loadDtls();
    const ctx = native.createContext({
      server: false,
      ciphers: 'PSK-AES128-CCM8',
      pskIdentity: Buffer.from('x'),
      pskKey: KEY,
    });
    const hello = native.connect(native.newConnection(ctx, Buffer.alloc(0))).out[0]!;
    const sock = createSocket('udp4');
    const reply = new Promise<Buffer>((r) => sock.once('message', r));
    sock.send(hello, port, '127.0.0.1');
    const hvr = await reply;
    sock.close();
    expect(hvr[0]).toBe(22); // handshake record
    expect(hvr[13]).toBe(3); // hello_verify_request
    expect(server.sessionCount).toBe(0);
    expect(server.stats.cookiesSent).toBe(1);
  });

  it('caps the number of associations', async () => {
    const { port, sessions } = await echoServer({ maxSessions: 1 });
    const first = await dtlsConnect({ host: '127.0.0.1', port, psk: { identity: 'client1', key: KEY } });
    await expect(
      dtlsConnect({ host: '127.0.0.1', port, psk: { identity: 'client1', key: KEY }, handshakeTimeoutMs: 1200 }),
    ).rejects.toThrow(/timed out/);
    expect(sessions).toHaveLength(1);
    first.close();
  });

  it('expires idle associations', async () => {
    const { server, port, sessions } = await echoServer({ idleTimeoutMs: 200 });
    const c = await dtlsConnect({ host: '127.0.0.1', port, psk: { identity: 'client1', key: KEY } });
    const closed = new Promise<string>((r) => {
      sessions[0]!.onClose = r;
    });
    expect(await closed).toBe('idle timeout');
    expect(server.sessionCount).toBe(0);
    c.close();
  });

  it('serves ECDHE-ECDSA with certificates, verifies client certificates against the CA, and fragments to the MTU', async () => {
    const pki = makePki();
    const { port, sessions } = await echoServer({
      psk: undefined,
      mtu: 300, // forces the Certificate message over several datagrams
      certificate: {
        certPem: pki.serverCertPem,
        keyPem: pki.serverKeyPem,
        caPem: pki.caPem,
        requestCert: true,
        requireCert: true,
      },
    });
    const ok = await sClient(port, [
      '-CAfile',
      pki.files.ca,
      '-cert',
      pki.files.clientCert,
      '-key',
      pki.files.clientKey,
      '-verify_return_error',
      '-mtu',
      '300',
      '-cipher',
      'ECDHE-ECDSA-AES128-CCM8',
    ]);
    expect(ok.handshake, ok.output).toBe(true);
    expect(ok.cipher).toBe('ECDHE-ECDSA-AES128-CCM8');
    expect(ok.output).toContain('Verify return code: 0 (ok)');
    expect(ok.output).toContain('echo:ping');
    expect(sessions[0]?.certificate?.length).toBeGreaterThan(100);

    const rogue = await sClient(port, [
      '-CAfile',
      pki.files.ca,
      '-cert',
      pki.files.rogueCert,
      '-key',
      pki.files.rogueKey,
    ]);
    expect(rogue.handshake).toBe(false);
    expect(rogue.output).toMatch(/unknown ca/i);
    const none = await sClient(port, ['-CAfile', pki.files.ca]);
    expect(none.handshake).toBe(false);
    expect(sessions).toHaveLength(1);
  });

  it('the Node client verifies the server certificate against its trust anchors', async () => {
    const pki = makePki();
    const { port } = await echoServer({
      psk: undefined,
      certificate: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem },
    });
    const s = await dtlsConnect({ host: '127.0.0.1', port, caPem: pki.caPem });
    expect(s.cipher).toBe('ECDHE-ECDSA-AES128-CCM8');
    s.close();
    const other = makePki();
    await expect(dtlsConnect({ host: '127.0.0.1', port, caPem: other.caPem })).rejects.toThrow(
      /certificate verify failed|unknown ca/i,
    );
  });

  it('reports a missing addon with the package to install, without breaking the importer', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import('@m2msec/dtls').then(m=>{try{new m.DtlsServer({host:'127.0.0.1',port:0,psk:()=>undefined,onSession:()=>true})}catch(e){console.log(e.name+': '+e.message)}})",
      ],
      {
        env: { ...process.env, M2MSEC_DTLS_ADDON: '/nonexistent/m2msec_dtls.node' },
        cwd: new URL('..', import.meta.url).pathname,
      },
    ).toString();
    expect(out).toContain('DtlsUnavailableError');
    expect(out).toContain('libssl3');
  });
});

describe('a client that lost its state (RFC 6347 4.2.8)', () => {
  it('a new handshake from the same address and port replaces the old association after the cookie exchange', async () => {
    const { server, port, sessions } = await echoServer();
    const native = loadDtls();
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    // Drives one full handshake through the addon from this fixed local port.
    const handshake = () =>
      new Promise<void>((resolve, reject) => {
        const ctx = native.createContext({
          server: false,
          ciphers: 'PSK-AES128-CCM8',
          pskIdentity: Buffer.from('client1'),
          pskKey: KEY,
        });
        const conn = native.newConnection(ctx, Buffer.alloc(0));
        const step = (r: ReturnType<typeof native.feed>) => {
          for (const d of r.out) sock.send(d, port, '127.0.0.1');
          if (r.state === 1) {
            sock.removeAllListeners('message');
            resolve();
          } else if (r.state === 2) reject(new Error(r.error));
        };
        sock.on('message', (m) => step(native.feed(conn, m)));
        step(native.connect(conn));
      });
    await handshake();
    expect(sessions).toHaveLength(1);
    const closed = new Promise<string>((r) => {
      sessions[0]!.onClose = r;
    });
    await handshake(); // same port, fresh client state
    expect(sessions).toHaveLength(2);
    expect(await closed).toBe('replaced by a new handshake from the same address');
    expect(server.sessionCount).toBe(1);
    sock.close();
  });
});
