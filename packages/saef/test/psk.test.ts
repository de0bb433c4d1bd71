// Provisioned Symmetric Key SAEF (TS-0003 8.2.2.1, 10.2) against openssl s_client and gnutls-cli.
import { randomBytes } from 'node:crypto';
import { connect, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pskClientOptions, pskIdentityOf, pskServerOptions } from '../src/index.js';
import { echoServer, gnutlsPsk, opensslPsk } from './tls-peers.js';

const kpsaId = 'kpsa-ae1@mef.m2msec.org';
const kpsa = randomBytes(32);
const keys = new Map([[kpsaId, kpsa]]);

describe('TLS-PSK server (Entity B)', () => {
  let server: Server;
  let port: number;
  const refused: string[] = [];
  beforeAll(async () => {
    const s = await echoServer(
      pskServerOptions({ resolve: (id) => keys.get(id), onRefused: (id) => refused.push(id) }),
      (sock) => `ok ${pskIdentityOf(sock)} ${sock.getProtocol()} ${sock.getCipher().name}`,
    );
    server = s.server;
    port = s.port;
  });
  afterAll(() => server?.close());

  it('completes TLS 1.2 TLS_PSK_WITH_AES_128_CBC_SHA256 with openssl s_client', async () => {
    const r = await opensslPsk(port, kpsaId, kpsa.toString('hex'), '', ['-tls1_2', '-cipher', 'PSK-AES128-CBC-SHA256']);
    expect(r.stdout).toContain(`ok ${kpsaId} TLSv1.2 PSK-AES128-CBC-SHA256`);
  });

  it('completes the GCM suite with gnutls-cli', async () => {
    const r = await gnutlsPsk(port, kpsaId, kpsa.toString('hex'), '');
    expect(r.stdout).toContain(`ok ${kpsaId} TLSv1.2 PSK-AES128-GCM-SHA256`);
  });

  it('completes TLS 1.3 external PSK with openssl s_client', async () => {
    const r = await opensslPsk(port, kpsaId, kpsa.toString('hex'), '', ['-tls1_3']);
    expect(r.stdout).toContain(`ok ${kpsaId} TLSv1.3 TLS_AES_128_GCM_SHA256`);
  });

  it('refuses a wrong key and an unknown identity', async () => {
    const wrong = await opensslPsk(port, kpsaId, randomBytes(32).toString('hex'), '', ['-tls1_2']);
    expect(wrong.stdout).not.toContain('ok ');
    const unknown = await opensslPsk(port, 'nobody@mef.m2msec.org', kpsa.toString('hex'), '', ['-tls1_2']);
    expect(unknown.stdout).not.toContain('ok ');
    expect(unknown.stderr).toMatch(/unknown psk identity/);
    expect(refused).toContain('nobody@mef.m2msec.org');
  });

  it('a Node client with pskClientOptions connects; a resolver that throws fails closed', async () => {
    const line = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ...pskClientOptions({ identity: kpsaId, key: kpsa }) });
      s.on('data', (d) => resolve(d.toString()));
      s.on('error', reject);
    });
    expect(line).toContain(`ok ${kpsaId} TLSv1.2`);
    const throwing = await echoServer(
      pskServerOptions({
        resolve: () => {
          throw new Error('boom');
        },
      }),
      () => 'ok',
    );
    const r = await opensslPsk(throwing.port, kpsaId, kpsa.toString('hex'), '', ['-tls1_2']);
    expect(r.stdout).not.toContain('ok');
    throwing.server.close();
  });

  it('pskClientOptions refuses empty identity or key', () => {
    expect(() => pskClientOptions({ identity: '', key: kpsa })).toThrow(/psk_identity/);
    expect(() => pskClientOptions({ identity: 'a', key: new Uint8Array() })).toThrow(/PSK/);
  });
});
