// The two checks the device makes on its own: (1) after a switch no connection or TLS session of the old
// credential is used again (the server sees the new certificate on the very next request, although a
// keep-alive connection of the old one was open); (2) a trust anchor is installed only if the certificate
// fetched has the certFingerprint the administrator set (TS-0003 8.3.9.9.7).
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, createSwitchableAgent, obtainTrustAnchor } from '../src/index.js';

let ca: TestCa;
let server: Server;
let port: number;
let a: Issued;
let b: Issued;
let other: TestCa;
const seen: string[] = [];

beforeAll(async () => {
  ca = new TestCa('dcfg-unit');
  other = new TestCa('dcfg-unit-other');
  const srv = ca.issue({ san: 'DNS:ta.m2msec.org', usage: 'server' });
  a = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org' });
  b = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org' });
  server = createServer(
    { cert: srv.cert, key: srv.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      if (req.url === '/ta.pem') return void res.end(other.cert);
      seen.push(peer ? certificateFingerprint(peer.toString()) : 'none');
      res.end('ok');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());

function get(agent: import('node:https').Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, servername: 'ta.m2msec.org' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('switchable agent', () => {
  it('the request after a switch presents the new certificate; the old connection is not reused', async () => {
    const fw = (c: Issued) => ({
      kind: 'certificate' as const,
      cert: c.cert,
      key: c.key,
      trustAnchors: [ca.cert],
      servername: 'ta.m2msec.org',
    });
    const s = createSwitchableAgent(fw(a));
    seen.length = 0;
    await get(s.agent);
    await get(s.agent); // keep-alive: same connection
    s.switchTo(fw(b));
    await get(s.agent);
    s.switchTo(fw(a));
    await get(s.agent);
    expect(seen).toEqual([
      certificateFingerprint(a.cert),
      certificateFingerprint(a.cert),
      certificateFingerprint(b.cert),
      certificateFingerprint(a.cert),
    ]);
    s.agent.destroy();
  });

  it('after a rollback (a switch and back), queued requests ride a connection of the credential in use and none is reset', async () => {
    const fw = (c: Issued) => ({
      kind: 'certificate' as const,
      cert: c.cert,
      key: c.key,
      trustAnchors: [ca.cert],
      servername: 'ta.m2msec.org',
    });
    // One connection at a time, so that requests queue for the freed one.
    const s = createSwitchableAgent(fw(a), { maxSockets: 1 });
    await get(s.agent);
    s.switchTo(fw(b));
    s.switchTo(fw(a)); // rolled back: the same connection name as before the switch
    let connections = 0;
    const count = () => connections++;
    server.on('secureConnection', count);
    seen.length = 0;
    try {
      await Promise.all([get(s.agent), get(s.agent), get(s.agent)]);
    } finally {
      server.off('secureConnection', count);
      s.agent.destroy();
    }
    expect(seen).toEqual(Array(3).fill(certificateFingerprint(a.cert)));
    // Connections of the credential in use are kept alive for the queued requests, not torn down as
    // "stale" after each (the agent counts the destroyed old one until it closes: at most one more).
    expect(connections, `connections ${connections}`).toBeLessThan(3);
  });
});

describe('trust anchor fetch (TS-0003 8.3.9.9.7)', () => {
  const uri = () => `https://ta.m2msec.org:${port}/ta.pem`;
  it('installs the fetched certificate when its fingerprint is the certFingerprint', async () => {
    const fp = certificateFingerprint(other.cert);
    const r = await obtainTrustAnchor(fp, uri(), [ca.cert], { ca: [ca.cert], connectAddress: '127.0.0.1' });
    expect(r.fetched).toBe(true);
    expect(new X509Certificate(r.pem).fingerprint256).toBe(new X509Certificate(other.cert).fingerprint256);
  });

  it('refuses a certificate with another fingerprint (a substituted trust anchor)', async () => {
    const wrong = certificateFingerprint(ca.cert);
    await expect(
      obtainTrustAnchor(wrong.replace(/^./, wrong[0] === '0' ? '1' : '0'), uri(), [], {
        ca: [ca.cert],
        connectAddress: '127.0.0.1',
      }),
    ).rejects.toThrow(/has fingerprint [0-9a-f]{64}, not the certFingerprint/);
  });

  it('refuses a server its current trust anchors do not vouch for, and a non-https URI', async () => {
    const fp = certificateFingerprint(other.cert);
    await expect(obtainTrustAnchor(fp, uri(), [], { ca: [other.cert], connectAddress: '127.0.0.1' })).rejects.toThrow();
    await expect(obtainTrustAnchor(fp, `http://127.0.0.1:${port}/ta.pem`, [], { ca: [ca.cert] })).rejects.toThrow(
      /https/,
    );
  });

  it('a trust anchor already held is not fetched', async () => {
    const r = await obtainTrustAnchor(certificateFingerprint(other.cert), 'https://nowhere.invalid/x', [other.cert], {
      ca: [],
    });
    expect(r).toEqual({ pem: other.cert, fetched: false });
  });
});
