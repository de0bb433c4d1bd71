// MAF Handshake with certificates (8.8.2.2, 10.2.3): the MAF's FQDN certificate and client
// certificates from an openssl-made CA; a client certificate whose SAN the administrating stakeholder
// registered is that MAF client; another CA's certificate gets no handshake; a valid certificate whose
// SAN is not registered gets a handshake but no Mmaf procedure (4103).
import { randomBytes } from 'node:crypto';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MafClient } from '../src/index.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

let t: TestMaf;
let ca: TestCa;
let other: TestCa;

beforeAll(async () => {
  ca = new TestCa('maf');
  other = new TestCa('maf-other');
  const server = ca.issue({ san: `DNS:${MAF_FQDN}`, usage: 'server' });
  t = await startTestMaf({
    certificate: { host: '127.0.0.1', port: 0, cert: server.cert, key: server.key, trustAnchors: [ca.cert] },
  });
  const r = await t.admin('PUT', `/admin/clients/certificate/${encodeURIComponent('m2m://m2msec.org/id-in/Ccert')}`, {
    clientId: '//m2msec.org/id-in/Ccert',
  });
  expect(r.status).toBe(200);
}, 60_000);
afterAll(() => t?.close());

const client = (issued: { cert: string; key: string }) =>
  new MafClient({
    mafUrl: t.maf.urls.certificate!,
    mafFqdn: MAF_FQDN,
    credential: { kind: 'certificate', cert: issued.cert, key: issued.key, trustAnchors: [ca.cert] },
  });

describe('certificate-based MAF Handshake', () => {
  it('a registered client certificate registers and retrieves keys as its MAF Client ID', async () => {
    const c = client(ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Ccert' }));
    const reg = await c.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(10) });
    expect(reg.mafClientID).toBe('//m2msec.org/id-in/Ccert');
    const a = await t.client('//m2msec.org/id-in/Cpsk');
    await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(10) });
    const k = await a.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(5),
      suid: 33,
      targetIDs: ['//m2msec.org/id-in/Ccert'],
      keyValue: randomBytes(32),
    });
    expect((await c.retrieveKey(k.relativeKeyID)).sourceMafClientID).toBe('//m2msec.org/id-in/Cpsk');
  });

  it('an unregistered SAN is 4103; another CA gets no handshake', async () => {
    const unknown = client(ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cnobody' }));
    await expect(unknown.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    );
    const stranger = client(other.issue({ san: 'URI:m2m://m2msec.org/id-in/Ccert' }));
    await expect(stranger.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(5) })).rejects.toThrow();
  });
});
