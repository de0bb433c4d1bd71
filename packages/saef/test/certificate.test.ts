// Certificate-Based SAEF (TS-0003 8.2.2.2, 10.1, 10.2): OpenSSL-made PKI, mutual TLS refusals, the
// clause 10.1 profile and the SAN binding.
import { connect, type Server, type TLSSocket } from 'node:tls';
import { type Issued, openssl, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateClientOptions,
  certificateIdentity,
  certificateServerOptions,
  checkCertificateProfile,
  parseCertificate,
  verifyCertificateSession,
} from '../src/index.js';
import { echoServer, runPeer } from './tls-peers.js';

const ctx = { spId: 'm2msec.org', inCseId: '/id-in' };
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

let ca: TestCa;
let other: TestCa;
let server: Issued;
let ae: Issued;
let expired: Issued;
let revoked: Issued;
let foreign: Issued;
let mn: Issued;

beforeAll(() => {
  ca = new TestCa('saef');
  other = new TestCa('other');
  server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  mn = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org' });
  expired = ca.issue({
    san: 'URI:m2m://m2msec.org/id-in/Cold',
    start: new Date(Date.now() - 10 * 86400_000),
    end: new Date(Date.now() - 86400_000),
  });
  revoked = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Crevoked' });
  ca.revoke(revoked.certPath);
  foreign = other.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
});

describe('certificate identity and profile', () => {
  it('reads the AE-ID, CSE-ID, Node-ID and device ID from the SAN', () => {
    expect(certificateIdentity(parseCertificate(der(ae.cert)).subjectAltNames, ctx)).toEqual({
      kind: 'ae',
      id: '/id-in/Cabc',
      credentialId: '33-/id-in/Cabc',
    });
    expect(certificateIdentity(parseCertificate(der(mn.cert)).subjectAltNames, ctx)).toMatchObject({
      kind: 'cse',
      id: '/id-mn',
    });
    expect(certificateIdentity([{ type: 'dns', value: 'id-in.m2msec.org' }], ctx).id).toBe('/id-in');
    expect(certificateIdentity([{ type: 'uri', value: 'm2m://m2msec.org/Sfleet1' }], ctx).id).toBe('/Sfleet1');
    expect(certificateIdentity([{ type: 'uri', value: 'm2m://other.org/id-x/Cabc' }], ctx).id).toBe(
      '//other.org/id-x/Cabc',
    );
    expect(certificateIdentity([{ type: 'uri', value: 'urn:imei:490154203237518' }], ctx)).toMatchObject({
      kind: 'node',
      credentialId: '34-urn:imei:490154203237518',
    });
    const dev = ca.issue({ san: 'otherName:0.2.481.1;UTF8:100.3030.10011' });
    expect(certificateIdentity(parseCertificate(der(dev.cert)).subjectAltNames, ctx)).toMatchObject({
      kind: 'device',
      id: '0.2.481.1.100.3030.10011',
    });
    expect(() => certificateIdentity([{ type: 'dns', value: 'www.example.com' }], ctx)).toThrow(/no subjectAltName/);
  });

  it('enforces the clause 10.1 profile: P-256, ecdsa-with-SHA256, digitalSignature, no wildcard', () => {
    expect(() => checkCertificateProfile([der(ae.cert), der(ca.cert)])).not.toThrow();
    const p384 = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cp384', curve: 'secp384r1' });
    expect(() => checkCertificateProfile([der(p384.cert)])).toThrow(/P-256/);
    const noDs = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cnods', keyUsage: 'keyAgreement' });
    expect(() => checkCertificateProfile([der(noDs.cert)])).toThrow(/digitalSignature/);
    const wild = ca.issue({ san: 'DNS:*.id-in.m2msec.org' });
    expect(() => checkCertificateProfile([der(wild.cert)])).toThrow(/wildcard/);
    const rsa = openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      '/CN=rsa',
      '-days',
      '1',
    ]);
    expect(() => checkCertificateProfile([der(rsa)])).toThrow(/P-256/);
  });
});

describe('mutual TLS (Entity B)', () => {
  let srv: Server;
  let port: number;
  let errors: string[];
  beforeAll(async () => {
    const s = await echoServer(
      certificateServerOptions({
        cert: server.cert,
        key: server.key,
        trustAnchors: [ca.cert],
        crls: [ca.crl().pem],
      }),
      (sock: TLSSocket) => {
        try {
          const session = verifyCertificateSession(sock, ctx);
          return `ok ${session.identity.id} ${sock.getProtocol()} ${sock.getCipher().name}`;
        } catch (e) {
          return `refused ${(e as Error).message}`;
        }
      },
    );
    srv = s.server;
    port = s.port;
    errors = s.errors;
  });
  afterAll(() => srv?.close());

  const attempt = (client: { cert?: string; key?: string }, maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3') =>
    new Promise<string>((resolve) => {
      const opts = certificateClientOptions({
        cert: client.cert ?? '',
        key: client.key ?? '',
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      });
      if (!client.cert) {
        delete opts.cert;
        delete opts.key;
      }
      const s = connect({ host: '127.0.0.1', port, ...opts, maxVersion });
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('end', () => resolve(out || 'closed'));
      s.on('error', (e) => resolve(`error ${(e as { code?: string }).code ?? e.message}`));
    });

  it('binds an AE-ID certificate, TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', async () => {
    const line = await new Promise<string>((resolve, reject) => {
      const s = connect({
        host: '127.0.0.1',
        port,
        ...certificateClientOptions({
          cert: ae.cert,
          key: ae.key,
          trustAnchors: [ca.cert],
          servername: 'id-in.m2msec.org',
        }),
        maxVersion: 'TLSv1.2',
        ciphers: 'ECDHE-ECDSA-AES128-SHA256',
      });
      s.on('data', (d) => resolve(d.toString()));
      s.on('error', reject);
    });
    expect(line).toContain('ok /id-in/Cabc TLSv1.2 ECDHE-ECDSA-AES128-SHA256');
    expect(await attempt(ae)).toContain('ok /id-in/Cabc TLSv1.3');
  });

  it('refuses expired, revoked, other-CA and missing client certificates', async () => {
    for (const c of [expired, revoked, foreign, {}]) {
      for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
        const r = await attempt(c, v);
        expect(r, `${JSON.stringify(c).slice(0, 40)} ${v}`).not.toMatch(/^ok/);
      }
    }
    // Node verifies after the handshake and drops the socket (no alert names the reason).
    expect(errors.length).toBeGreaterThanOrEqual(8);
  });

  it('openssl s_client with the AE certificate gets through; without one it is refused', async () => {
    const base = [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'id-in.m2msec.org',
      '-CAfile',
      ca.certPath,
      '-quiet',
    ];
    const ok = await runPeer(
      'openssl',
      [...base, '-verify_return_error', '-cert', ae.certPath, '-key', ae.keyPath],
      '',
    );
    expect(ok.stdout).toContain('ok /id-in/Cabc');
    const none = await runPeer('openssl', base, '');
    expect(none.stdout).not.toContain('ok ');
  });
});
