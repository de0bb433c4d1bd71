// Clause 10.3.1 end to end: a real TLS 1.2 PSK handshake between node:tls (MEF side) and
// `openssl s_client` (Enrolee side). Both export 48 bytes with the oneM2M labels; the split,
// KeID / Key Identifier and Km must come out the same from either side's exporter output.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  deriveKm,
  EXPORTER_LABEL_BOOTSTRAP,
  EXPORTER_LABEL_CONNECTION,
  EXPORTER_LENGTH,
  formatKcKeyIdentifier,
  formatKeID,
  splitBootstrapExport,
  splitConnectionExport,
} from '../src/index.js';

async function handshake(label: string): Promise<{ server: Buffer; client: Buffer }> {
  const kpm = randomBytes(32);
  const kpmID = 'kpm-01@mef.example.com';
  let serverExport: Buffer | undefined;
  const server = tls.createServer(
    {
      ciphers: 'PSK-AES128-CBC-SHA256',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      pskCallback: (_socket, identity) => (identity === kpmID ? kpm : null),
    },
    (socket) => {
      // @types/node declares the context required; Node accepts it omitted (RFC 5705 "no context", which in
      // TLS 1.2 differs from an empty context and is what `openssl s_client -keymatexport` uses).
      const exporter = socket.exportKeyingMaterial.bind(socket) as (length: number, label: string) => Buffer;
      serverExport = exporter(EXPORTER_LENGTH, label);
      socket.end();
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const child = spawn('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cipher',
      'PSK-AES128-CBC-SHA256',
      '-psk',
      kpm.toString('hex'),
      '-psk_identity',
      kpmID,
      '-keymatexport',
      label,
      '-keymatexportlen',
      String(EXPORTER_LENGTH),
    ]);
    child.stdin.end();
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await once(child, 'close');
    const m = /Keying material:\s*([0-9A-Fa-f]+)/.exec(out);
    if (!m || !serverExport) throw new Error(`no exporter output from the handshake:\n${out}`);
    return { server: serverExport, client: Buffer.from(m[1]!, 'hex') };
  } finally {
    server.close();
  }
}

describe('clause 10.3.1 over a real TLS-PSK handshake with openssl s_client', () => {
  it('EXPORTER-oneM2M-Bootstrap: same Ke, RelativeKeID, KeID and Km on both sides', async () => {
    const { server, client } = await handshake(EXPORTER_LABEL_BOOTSTRAP);
    expect(client).toEqual(server);
    const mef = splitBootstrapExport(server);
    const enrolee = splitBootstrapExport(client);
    expect(formatKeID(enrolee.relativeKeID, 'mef.example.com')).toBe(formatKeID(mef.relativeKeID, 'mef.example.com'));
    expect(deriveKm(enrolee.ke, 'maf.example.com')).toEqual(deriveKm(mef.ke, 'maf.example.com'));
  });

  it('EXPORTER-oneM2M-Connection: same Kc and Key Identifier on both sides', async () => {
    const { server, client } = await handshake(EXPORTER_LABEL_CONNECTION);
    expect(client).toEqual(server);
    const a = splitConnectionExport(client);
    expect(formatKcKeyIdentifier(a.kcID, 'maf.example.com')).toBe(
      formatKcKeyIdentifier(splitConnectionExport(server).kcID, 'maf.example.com'),
    );
  });
});
