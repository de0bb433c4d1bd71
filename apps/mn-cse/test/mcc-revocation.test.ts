// Issue 12 item 6 at the MN-CSE's Mcc listener (certificate SAEF): its CRLs come from a file that is
// re-read when it changes. Once the CA revokes the client certificate, the live TLS session of that
// certificate is closed and curl's next handshake is refused; a certificate that is not revoked keeps
// working. openssl makes the PKI and the CRLs; curl and Node's TLS client are the peers.
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMnCse, type MnCse } from '../src/index.js';

let ca: TestCa;
let mn: MnCse;
let port: number;
let kept: Issued;
let revoked: Issued;

beforeAll(async () => {
  ca = new TestCa('mn-crl');
  kept = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' });
  revoked = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' });
  const server = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' });
  const crl = ca.crl();
  mn = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      // Nothing listens there: registration keeps retrying in the background; the Mcc listener serves.
      url: 'https://127.0.0.1:9',
      framework: {
        kind: 'certificate',
        cert: kept.cert,
        key: kept.key,
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      },
      retryMs: 60_000,
    },
    mcc: {
      port: 0,
      cert: server.cert,
      key: server.key,
      trustAnchors: [ca.cert],
      crls: [crl.path],
      crl: { refreshSeconds: 1 },
    },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  await mn.start();
  port = Number(new URL(mn.mccUrl!).port);
}, 60_000);

afterAll(async () => {
  await mn?.stop();
});

async function curl(c: Issued): Promise<{ code: number | null; rsc: number }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const p = spawn('curl', [
      '-sS',
      '-i',
      '--max-time',
      '10',
      '--resolve',
      `id-mn.id-in.m2msec.org:${port}:127.0.0.1`,
      '--cacert',
      ca.certPath,
      '--cert',
      c.certPath,
      '--key',
      c.keyPath,
      '-H',
      'X-M2M-Origin: /id-in',
      '-H',
      'X-M2M-RI: mcc-crl',
      '-H',
      'X-M2M-RVI: 3',
      `https://id-mn.id-in.m2msec.org:${port}/cse-mn`,
    ]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, rsc: Number(/x-m2m-rsc: *(\d+)/i.exec(out)?.[1] ?? 0) }));
  });
}

describe('Mcc listener CRLs', () => {
  it('a certificate revoked in the CRL file loses its live session and its next handshake', async () => {
    // A TLS 1.2 session to resume after the revocation (resumption validates no chain in the handshake).
    const first = connect({
      host: '127.0.0.1',
      port,
      servername: 'id-mn.id-in.m2msec.org',
      ca: readFileSync(ca.certPath),
      cert: revoked.cert,
      key: revoked.key,
      maxVersion: 'TLSv1.2',
    });
    first.on('error', () => undefined);
    const ticket = await new Promise<Buffer>((resolve, reject) => {
      first.once('session', (s: Buffer) => resolve(s));
      first.once('error', reject);
    });
    first.end();
    for (const c of [kept, revoked]) {
      const r = await curl(c);
      expect(r.code).toBe(0);
      expect(r.rsc).toBeGreaterThan(0);
    }
    const live = connect({
      host: '127.0.0.1',
      port,
      servername: 'id-mn.id-in.m2msec.org',
      ca: readFileSync(ca.certPath),
      cert: revoked.cert,
      key: revoked.key,
    });
    live.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      live.once('secureConnect', () => resolve());
      live.once('error', reject);
    });
    const closed = new Promise<string>((resolve) => live.once('close', () => resolve('closed')));
    // Give the listener time to admit the session before the CRL changes.
    await new Promise((r) => setTimeout(r, 200));
    ca.revoke(revoked.certPath);
    ca.crl();
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('timeout'), 10_000))])).toBe('closed');
    const r = await curl(revoked);
    expect(r.code).not.toBe(0);
    expect(r.rsc).toBe(0);
    const k = await curl(kept);
    expect(k.code).toBe(0);
    expect(k.rsc).toBeGreaterThan(0);

    // Resuming the old session: whether the server resumes it or not, no request is served on it.
    const resumed = connect({
      host: '127.0.0.1',
      port,
      servername: 'id-mn.id-in.m2msec.org',
      ca: readFileSync(ca.certPath),
      cert: revoked.cert,
      key: revoked.key,
      maxVersion: 'TLSv1.2',
      session: ticket,
    });
    let answer = '';
    resumed.on('data', (d) => (answer += d));
    resumed.on('error', () => undefined);
    const ended = new Promise((resolve) => resumed.once('close', () => resolve('closed')));
    resumed.once('secureConnect', () =>
      resumed.write(
        'GET /cse-mn HTTP/1.1\r\nHost: id-mn\r\nX-M2M-Origin: /id-in\r\nX-M2M-RI: r\r\nX-M2M-RVI: 3\r\n\r\n',
      ),
    );
    expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r('timeout'), 10_000))])).toBe('closed');
    expect(answer).not.toMatch(/x-m2m-rsc/i);
  });
});
