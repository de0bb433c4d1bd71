// CRL handling of the certificate listeners (issue 12 item 6): which CRLs count (signed by a trust
// anchor, not replaced by an older one, fail closed past nextUpdate) and how CrlFeed keeps them fresh
// from a file and a URL. openssl makes the CAs and the CRLs.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateRevocation, CrlFeed } from '../src/index.js';

let ca: TestCa;
let other: TestCa;
let good: Issued;
let bad: Issued;

/** openssl ca -gencrl with chosen lastUpdate / nextUpdate (YYYYMMDDHHMMSSZ). */
function crlAt(c: TestCa, name: string, last: Date, next: Date): string {
  const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const out = join(c.dir, name);
  execFileSync('openssl', [
    'ca',
    '-config',
    join(c.dir, 'ca.cnf'),
    '-gencrl',
    '-crl_lastupdate',
    stamp(last),
    '-crl_nextupdate',
    stamp(next),
    '-out',
    out,
  ]);
  return readFileSync(out, 'utf8');
}

beforeAll(() => {
  ca = new TestCa('crl-unit');
  other = new TestCa('crl-other');
  good = ca.issue({ san: 'DNS:good.m2msec.org' });
  bad = ca.issue({ san: 'DNS:bad.m2msec.org' });
});

const der = (i: Issued) => new Uint8Array(Buffer.from(i.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

describe('CertificateRevocation', () => {
  it('applies a CRL signed by a trust anchor: revoked vs good', () => {
    const r = new CertificateRevocation([ca.cert]);
    expect(r.status(der(bad))).toBe('good'); // no CRL for the issuer yet
    ca.revoke(bad.certPath);
    expect(r.update([ca.crl().pem])).toBe(true);
    expect(r.status(der(bad))).toBe('revoked');
    expect(r.status(der(good))).toBe('good');
    expect(r.pems).toHaveLength(1);
  });

  it('a tampered CRL of a trust anchor is refused; a CRL of another issuer is left to OpenSSL', () => {
    const r = new CertificateRevocation([ca.cert]);
    const problems: string[] = [];
    const pem = ca.crl().pem;
    const bytes = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    bytes[bytes.length - 5]! ^= 0x01; // inside the CRL signature
    expect(r.update([bytes], (m) => problems.push(m))).toBe(false);
    expect(problems[0]).toMatch(/signature does not verify/);
    expect(r.pems).toHaveLength(0);
    // An intermediate's CRL (here: a CA that is no trust anchor) goes to the TLS context unverified,
    // where OpenSSL checks it during path validation; it never drives the JavaScript status.
    const foreign = other.issue({ san: 'DNS:x.m2msec.org' });
    other.revoke(foreign.certPath);
    expect(
      r.update([other.crl().pem], (m) => problems.push(m)),
      problems.join('; '),
    ).toBe(true);
    expect(r.crls[0]).toMatchObject({ verified: false });
    expect(r.crls[0]?.issuer).toMatch(/^der:/);
    expect(r.pems).toHaveLength(1);
    expect(r.status(der(foreign))).toBe('good');
  });

  it('an older CRL never replaces a newer one (a replayed CRL cannot un-revoke)', () => {
    const r = new CertificateRevocation([ca.cert]);
    const now = Date.now();
    const older = crlAt(ca, 'older.pem', new Date(now - 7200_000), new Date(now + 86400_000));
    const newer = crlAt(ca, 'newer.pem', new Date(now - 60_000), new Date(now + 86400_000));
    expect(r.update([newer])).toBe(true);
    expect(r.update([older])).toBe(false);
    expect(r.crls[0]?.thisUpdate.getTime()).toBeGreaterThan(now - 120_000);
  });

  it("past nextUpdate without a fresh CRL, the issuer's certificates are refused (crl-expired)", () => {
    let clock = Date.now();
    const r = new CertificateRevocation([ca.cert], { now: () => clock });
    r.update([crlAt(ca, 'short.pem', new Date(clock - 60_000), new Date(clock + 60_000))]);
    expect(r.status(der(good))).toBe('good');
    clock += 120_000;
    expect(r.status(der(good))).toBe('crl-expired');
  });
});

describe('CrlFeed', () => {
  let server: Server;
  let served: Buffer | undefined;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      if (!served) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(served);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crl`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches the CRL URL, and start() fails when it cannot be had (no silent fail-open)', async () => {
    const r = new CertificateRevocation([ca.cert]);
    served = undefined;
    await expect(new CrlFeed(r, { url, startupTimeoutSeconds: 0 }).start()).rejects.toThrow(/could not be loaded/);
    const pem = ca.crl().pem;
    served = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'); // DER
    const feed = new CrlFeed(r, { url, refreshSeconds: 1 });
    await feed.start();
    feed.close();
    expect(r.crls).toHaveLength(1);
  });

  it('re-reads a CRL file that changed', async () => {
    const file = join(ca.dir, 'feed.pem');
    const now = Date.now();
    writeFileSync(file, crlAt(ca, 'feed-1.pem', new Date(now - 3600_000), new Date(now + 86400_000)));
    const r = new CertificateRevocation([ca.cert]);
    const feed = new CrlFeed(r, { files: [file], refreshSeconds: 1 });
    await feed.start();
    const revokedLater = ca.issue({ san: 'DNS:later.m2msec.org' });
    expect(r.status(der(revokedLater))).toBe('good');
    ca.revoke(revokedLater.certPath);
    writeFileSync(file, ca.crl().pem);
    await feed.refresh();
    feed.close();
    expect(r.status(der(revokedLater))).toBe('revoked');
  });
});
