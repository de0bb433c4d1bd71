// The start-up line's configuration summary: what runs is visible, no secret is (planted secrets in every
// shape the apps' configurations hold them: inline tokens, hex keys, DSKPP client keys, a PostgreSQL URL
// with a password, key bytes).
import { describe, expect, it } from 'vitest';
import { configSummary } from '../src/index.js';

const secrets = [
  'tok-3f9a1c7e55',
  'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  'pg-pass-77c1',
  '00112233445566778899aabbccddeeff',
  'aabbccddeeff00112233445566778899',
  '5e11ed70d5',
  'jwk-private-d-9c2e',
  'jwk-secret-k-41aa',
];

const config = {
  profile: 'secure',
  cse: { cseId: '/id-in', cseBaseName: 'cse-in' },
  admin: { host: '127.0.0.1', port: 8081, token: secrets[0], tokenFile: '/etc/m2msec/admin.token' },
  security: {
    keyFile: '/keys/in-cse.kek',
    psk: { host: '127.0.0.1', port: 8444, tls13: true },
    certificate: { port: 8443, cert: '/pki/in.pem', key: '/pki/in.key' },
    kek: secrets[1],
  },
  store: { kind: 'postgres', connectionString: `postgres://m2msec:${secrets[2]}@127.0.0.1:5432/m2m` },
  dskpp: {
    clients: [{ clientId: 'c1', authenticationCodeHex: secrets[3], sharedKeyName: 'k1', sharedKeyHex: secrets[4] }],
  },
  mef: { url: 'https://mef', pskIdentity: 'maf@mef.m2msec.org', keyFile: '/keys/maf-at-mef.hex' },
  raw: { key: Buffer.from(secrets[5]!, 'hex') },
  signingKey: { kty: 'EC', crv: 'P-256', x: 'pubx', y: 'puby', d: 'jwk-private-d-9c2e' },
  rules: [{ jwk: { kty: 'oct', k: 'jwk-secret-k-41aa' } }],
  password: secrets[5],
};

describe('configSummary', () => {
  it('keeps what runs and where the key files are', () => {
    const s = configSummary(config) as typeof config;
    expect(s.profile).toBe('secure');
    expect(s.security.psk).toEqual({ host: '127.0.0.1', port: 8444, tls13: true });
    expect(s.security.keyFile).toBe('/keys/in-cse.kek');
    expect(s.admin.tokenFile).toBe('/etc/m2msec/admin.token');
    expect(s.mef.pskIdentity).toBe('maf@mef.m2msec.org');
    expect(s.store.connectionString).toBe('postgres://<credentials>@127.0.0.1:5432/m2m');
  });

  it('no planted secret in any form survives', () => {
    const text = JSON.stringify(configSummary(config));
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(secrets[5]!, 'hex').toString('base64'));
  });
});
