// Administrators are principals bound to credentials (TS-0003 6.2.3): the originator alone grants
// nothing; a plain loopback allowance exists only when configured (development profile).
import { describe, expect, it } from 'vitest';
import { type AdministratorPrincipal, Administrators } from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
const principals: AdministratorPrincipal[] = [
  { name: 'ops-psk', originator: 'CAdmin', credential: { credentialId: '12-admin@mef.m2msec.org' } },
  { name: 'ops-cert', originator: 'CAdmin', credential: { certificateSan: 'URI:http://m2msec.org/id-in/CAdmin' } },
  { name: 'ops-id', originator: 'COps', credential: { pskIdentity: 'ops-key' } },
];
const psk = (credentialId: string, pskIdentity = 'x') => ({
  binding: 'http' as const,
  tls: { pskIdentity },
  association: { boundIds: [], credentialId, framework: 'psk' },
});

describe('Administrators', () => {
  const admins = new Administrators({ idContext, principals });

  it('grants an administrator only over an association that proved its credential', () => {
    expect(admins.administratorOf('/id-in/CAdmin', psk('12-admin@mef.m2msec.org'))?.principal.name).toBe('ops-psk');
    expect(admins.administratorOf('/id-in/CAdmin', psk('12-other@mef.m2msec.org'))).toBeUndefined();
    expect(admins.administratorOf('/id-in/COps', psk('12-z', 'ops-key'))?.principal.name).toBe('ops-id');
    // The right credential with another principal's originator grants nothing.
    expect(admins.administratorOf('/id-in/COps', psk('12-admin@mef.m2msec.org'))).toBeUndefined();
  });

  it('matches a certificate SAN whatever the case of its type, never on a plain transport', () => {
    const cert = {
      binding: 'http' as const,
      tls: { peerCertificate: { subjectAltNames: ['uri:http://m2msec.org/id-in/CAdmin'], fingerprint256: 'AA' } },
      association: { boundIds: ['/id-in/CAdmin'], credentialId: '33-/id-in/CAdmin', framework: 'certificate' },
    };
    expect(admins.administratorOf('/id-in/CAdmin', cert)?.principal.name).toBe('ops-cert');
    // The same facts without an association (no SA admitted the session) do not count.
    expect(admins.administratorOf('/id-in/CAdmin', { ...cert, association: undefined })).toBeUndefined();
    expect(admins.administratorOf('/id-in/CAdmin', { binding: 'http', peerAddress: '127.0.0.1' })).toBeUndefined();
  });

  it('development: the plain allowance holds on a loopback plain HTTP connection only', () => {
    const dev = new Administrators({ idContext, principals: [], plainLoopbackOriginators: ['CAdmin'] });
    expect(dev.administratorOf('/id-in/CAdmin', { binding: 'http', peerAddress: '127.0.0.1' })?.via).toBe(
      'plain-loopback',
    );
    expect(dev.administratorOf('/id-in/CAdmin', { binding: 'http', peerAddress: '::1' })).toBeDefined();
    expect(dev.administratorOf('/id-in/CAdmin', { binding: 'http', peerAddress: '10.0.0.5' })).toBeUndefined();
    expect(dev.administratorOf('/id-in/CAdmin', { binding: 'mqtt', peerAddress: '127.0.0.1' })).toBeUndefined();
    expect(dev.administratorOf('/id-in/CAdmin', psk('12-anything'))).toBeUndefined();
  });

  it('reserves the administrators originators and the CSE-ID in every accepted form', () => {
    const r = new Administrators({ idContext, principals, otherReservedIds: ['/id-mn'] }).reserved;
    for (const id of ['CAdmin', '/id-in/CAdmin', '//m2msec.org/id-in/CAdmin', 'COps', '/id-in', '/id-mn']) {
      expect(r.isReserved(id), id).toBe(true);
    }
    for (const id of ['Cadmin2', 'CAdmin1', '/id-in/Csensor', '/Sdevice']) expect(r.isReserved(id), id).toBe(false);
    expect(r.isAdministratorOriginator('CAdmin')).toBe(true);
    expect(r.isAdministratorOriginator('/id-in')).toBe(false);
  });

  it('refuses a principal whose originator is not an AE-ID', () => {
    expect(
      () =>
        new Administrators({
          idContext,
          principals: [{ name: 'x', originator: '/id-in', credential: { pskIdentity: 'a' } }],
        }),
    ).toThrow(/not an AE-ID/);
  });
});
