// DSKPP (RFC 6063) mounted on the MEF at /dskpp: a 4-pass run over the MEF Handshake session (the
// device authenticates the TLS session with its Kpm), K_TOKEN ends in both the device's SE and the
// MEF's key store.
import { randomBytes } from 'node:crypto';
import { type RequestOptions, request } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { DskppClient, DskppServer, MemoryClientRegistry, MemoryProvisionedKeyStore } from '@m2msec/dskpp';
import { mefHandshakeOptions } from '@m2msec/rspf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hex, MEF_FQDN, openSe, startTestMef, type TestMef } from './helpers.js';

const device = { manufacturer: 'iana.32473', serialNo: 'SN-7', model: 'sensor' };
const record = {
  clientId: 'C-7',
  authenticationCode: randomBytes(20),
  sharedKey: { name: 'Kshared-7', key: randomBytes(16) },
  device,
};
const keys = new MemoryProvisionedKeyStore();
const kpm = hex();
let t: TestMef;
let url: string;

beforeAll(async () => {
  // The server URL is input of the AD MAC: it must be known before the MEF starts listening.
  const dskpp = (u: string) =>
    new DskppServer({
      mode: 'stateless',
      stateKeys: [{ id: 1, key: randomBytes(32) }],
      serverUrl: u,
      serverId: MEF_FQDN,
      clients: new MemoryClientRegistry([record]),
      keys,
    });
  const server = dskpp('https://mef.m2msec.org/dskpp');
  t = await startTestMef({ dskpp: server });
  url = `${t.mef.urls.psk}/dskpp`;
  await t.admin('PUT', '/admin/enrolees/psk/kpm-dskpp', {
    kpm,
    enroleeId: 'Cdskpp',
    targets: [],
    enrolmentExpirySeconds: 3600,
  });
});
afterAll(() => t?.close());

it('4-pass DSKPP through the MEF over the TLS-PSK MEF Handshake', async () => {
  const tls = await mefHandshakeOptions({ kind: 'psk', kpmId: 'kpm-dskpp', kpm: Buffer.from(kpm, 'hex') }, MEF_FQDN);
  const transport = (xml: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(url, {
        ...tls,
        agent: false,
        method: 'POST',
        headers: { 'content-type': 'application/dskpp+xml' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.end(xml);
    });
  const se = await openSe();
  await se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'attest' }, randomBytes(32));
  const client = new DskppClient({
    transport,
    serverUrl: 'https://mef.m2msec.org/dskpp',
    clientId: record.clientId,
    authenticationCode: record.authenticationCode,
    sharedKey: record.sharedKey,
    device,
    secureEnvironment: se,
    attestationKey: 'attest',
  });
  const result = await client.fourPass();
  expect(keys.keys.has(result.keyId)).toBe(true);
  expect(await se.getKey(result.key.id)).toBeDefined();
  await se.close();
  // Without a MEF Handshake credential the listener refuses the TLS session itself.
  const anon = await new Promise<string>((resolve) => {
    // agent: false — Node's agent pool does not key sockets by pskCallback, so a pooled socket of
    // another identity would be reused.
    // https passes TLS connection options such as pskCallback on to tls.connect.
    const options: RequestOptions & Pick<ConnectionOptions, 'pskCallback'> = {
      ...tls,
      agent: false,
      pskCallback: () => ({ psk: Buffer.alloc(32), identity: 'nobody' }),
      method: 'POST',
    };
    const req = request(url, options);
    req.on('error', (e) => resolve((e as { code?: string }).code ?? 'error'));
    req.on('response', () => resolve('answered'));
    req.end('<x/>');
  });
  expect(anon).not.toBe('answered');
});
