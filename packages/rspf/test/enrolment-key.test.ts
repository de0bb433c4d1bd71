// Enrolment Key Generation (10.3.1, 10.3.4) over a real TLS-PSK MEF Handshake: Node on both ends
// agrees, and openssl s_client as the enrolee exports the same 48 bytes (-keymatexport), whose 16
// most significant bytes are RelativeKeID and 32 least significant bytes Ke.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { attestationKeyFromSession, enrolmentKeyFromSession, mefHandshakeOptions } from '../src/index.js';

const kpm = randomBytes(32);
const CIPHERS = 'PSK-AES128-CBC-SHA256';

function server(onSession: (s: TLSSocket) => void) {
  const srv = createServer(
    {
      ciphers: CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      pskCallback: (_s, id) => (id === 'kpm-1' ? kpm : null),
    },
    (s) => {
      onSession(s);
      s.end('bye\n');
    },
  );
  return new Promise<{ port: number; close: () => void }>((resolve) =>
    srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as AddressInfo).port, close: () => srv.close() })),
  );
}

describe('Ke and KeID from the TLS exporter', () => {
  it('both Node ends derive the same Ke, KeID and attestation key; KeID = hex(RelativeKeID)@MEF-FQDN', async () => {
    let serverSide: ReturnType<typeof enrolmentKeyFromSession> | undefined;
    let serverAtt: Buffer | undefined;
    const s = await server((sock) => {
      serverSide = enrolmentKeyFromSession(sock, 'mef.m2msec.org');
      serverAtt = attestationKeyFromSession(sock);
    });
    const opts = await mefHandshakeOptions({ kind: 'psk', kpmId: 'kpm-1', kpm }, 'mef.m2msec.org');
    const client = await new Promise<ReturnType<typeof enrolmentKeyFromSession> & { att: Buffer }>(
      (resolve, reject) => {
        const c = connect({ ...opts, host: '127.0.0.1', port: s.port });
        c.once('secureConnect', () => {
          const k = enrolmentKeyFromSession(c, 'mef.m2msec.org');
          resolve({ ...k, att: attestationKeyFromSession(c) });
          c.end();
        });
        c.once('error', reject);
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    s.close();
    expect(serverSide!.ke.equals(client.ke)).toBe(true);
    expect(serverSide!.keId).toBe(client.keId);
    expect(client.keId).toBe(`${client.relativeKeID.toString('hex')}@mef.m2msec.org`);
    expect(serverAtt!.equals(client.att)).toBe(true);
    expect(client.att.equals(client.ke)).toBe(false);
  });

  it('openssl s_client as enrolee exports the bytes the MEF split into RelativeKeID and Ke', async () => {
    let serverSide: ReturnType<typeof enrolmentKeyFromSession> | undefined;
    const s = await server((sock) => {
      serverSide = enrolmentKeyFromSession(sock, 'mef.m2msec.org');
    });
    const out = await new Promise<string>((resolve) => {
      const p = spawn('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${s.port}`,
        '-psk',
        kpm.toString('hex'),
        '-psk_identity',
        'kpm-1',
        '-tls1_2',
        '-cipher',
        CIPHERS,
        '-keymatexport',
        'EXPORTER-oneM2M-Bootstrap',
        '-keymatexportlen',
        '48',
      ]);
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (text += d));
      p.on('close', () => resolve(text));
      p.stdin.end();
    });
    s.close();
    const hex = /Keying material: ([0-9A-Fa-f]{96})/.exec(out)?.[1]?.toLowerCase();
    expect(hex, out).toBeDefined();
    expect(serverSide!.relativeKeID.toString('hex')).toBe(hex!.slice(0, 32));
    expect(serverSide!.ke.toString('hex')).toBe(hex!.slice(32));
  });
});
