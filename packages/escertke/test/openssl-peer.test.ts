// An independent Initiating End-Point: `openssl s_client` speaks TLS 1.2 over TCP to a bridge that cuts its
// byte stream into ESCertKE Messages 1 and 3 and hands them to the TerminatingEndPoint. s_client's
// `-keymatexport EXPORTER-oneM2M-ESCertKE -keymatexportlen 48` output must equal what this package exports
// (TS-0003 10.3.1: ID = 16 most significant bytes, key = 32 least significant), a known-answer check of the
// exporter split against OpenSSL.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { TestCa } from '@m2msec/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type EstablishedE2EKey, flightComplete, TerminatingEndPoint } from '../src/index.js';

let server: Server | undefined;
afterAll(() => server?.close());

describe('openssl s_client as the ESCertKE Initiating End-Point', () => {
  it('exports the same 48 bytes as this Terminating End-Point', async () => {
    const ca = new TestCa('escertke-openssl');
    const ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae1', usage: 'client' });
    const inCse = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
    const term = new TerminatingEndPoint({
      ...inCse,
      ca: ca.cert,
      identityContext: { spId: 'm2msec.org', inCseId: '/id-in' },
      isAuthorizedInitiator: (id) => id === '/id-mn/Cae1',
    });
    let established: EstablishedE2EKey | undefined;
    let bridgeError: unknown;
    server = createServer((sock) => {
      let buf = Buffer.alloc(0);
      let step: 1 | 3 | 0 = 1;
      sock.on('data', async (d) => {
        buf = Buffer.concat([buf, d]);
        try {
          if (step === 1 && flightComplete(1, buf)) {
            step = 0;
            const m1 = buf;
            buf = Buffer.alloc(0);
            sock.write(await term.processMessage1(m1));
            step = 3;
          } else if (step === 3 && flightComplete(3, buf)) {
            step = 0;
            const r = await term.processMessage3(buf);
            established = r.established;
            sock.write(r.message4);
          }
        } catch (e) {
          bridgeError = e;
          sock.destroy();
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-cipher',
        'ECDHE-ECDSA-AES128-SHA256',
        '-cert',
        ae.certPath,
        '-key',
        ae.keyPath,
        '-CAfile',
        ca.certPath,
        '-verify_return_error',
        '-keymatexport',
        'EXPORTER-oneM2M-ESCertKE',
        '-keymatexportlen',
        '48',
      ]);
      let stdout = '';
      p.stdout.on('data', (d) => {
        stdout += d;
      });
      p.stderr.on('data', () => undefined);
      const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.on('error', reject);
      p.on('close', () => {
        clearTimeout(timer);
        resolve(stdout);
      });
      // Close stdin once the exporter output is there, so s_client ends.
      const poll = setInterval(() => {
        if (/Keying material: [0-9A-F]+/.test(stdout)) {
          clearInterval(poll);
          p.stdin.end();
        }
      }, 50);
      p.on('close', () => clearInterval(poll));
    });
    expect(bridgeError).toBeUndefined();
    const hex = /Keying material: ([0-9A-F]{96})/.exec(out)?.[1]?.toLowerCase();
    expect(hex, out.slice(-800)).toBeDefined();
    expect(established).toBeDefined();
    expect(established!.pairwiseE2EKeyID.toString('hex')).toBe(hex!.slice(0, 32));
    expect(established!.pairwiseE2EKey.toString('hex')).toBe(hex!.slice(32));
    expect(established!.peer.id).toBe('/id-mn/Cae1');
    expect(out).toMatch(/Cipher is ECDHE-ECDSA-AES128-SHA256/);
  }, 60_000);
});
