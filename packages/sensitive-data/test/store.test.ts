import { connect, createServer } from 'node:tls';
import { deriveKm, deriveKpsa } from '@m2msec/crypto';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import { afterEach, describe, expect, it } from 'vitest';
import { type CredentialAuditEvent, CredentialStore, SensitiveDataError } from '../src/index.js';
import { seMakers } from './fixtures.js';

const ke = Buffer.from('7e'.repeat(32), 'hex');
const hour = 3600_000;

for (const maker of seMakers) {
  describe(`CredentialStore over the ${maker.name}`, () => {
    let se: SecureEnvironment;
    afterEach(async () => {
      await se?.close();
    });

    async function open(now = () => 1_700_000_000_000) {
      const m = await maker.make();
      se = m.se;
      const events: CredentialAuditEvent[] = [];
      const store = await CredentialStore.open({ se, now: () => now(), audit: (e) => events.push(e) });
      return { store, events, reopen: m.reopen };
    }

    it('derives Km (10.3.2) and Kpsa (10.3.3) from Ke in the SE; getPskSync serves them synchronously', async () => {
      const { store, events } = await open();
      await store.addKey(
        'Ke',
        { credentialId: 'c0ffee00112233445566778899aabbcc@mef.example.com', owner: 'CAE01' },
        ke,
      );
      await store.deriveFromKe(
        'c0ffee00112233445566778899aabbcc@mef.example.com',
        { kind: 'Km', mafId: 'maf.example.com' },
        { credentialId: 'km1@maf.example.com', owner: 'CAE01', targetIds: ['maf.example.com'] },
      );
      await store.deriveFromKe(
        'c0ffee00112233445566778899aabbcc@mef.example.com',
        { kind: 'Kpsa', enroleeBId: '/in-cse' },
        { credentialId: 'kpsa1@mef.example.com', owner: 'CAE01', targetIds: ['/in-cse'] },
      );
      const psk = store.getPskSync('km1@maf.example.com');
      expect(psk instanceof Promise).toBe(false);
      expect(psk?.toString('hex')).toBe(deriveKm(ke, 'maf.example.com').toString('hex'));
      expect(store.getPskSync('kpsa1@mef.example.com')?.toString('hex')).toBe(
        deriveKpsa(ke, '/in-cse').toString('hex'),
      );
      // Ke is a derivation key: never a PSK
      expect(store.getPskSync('c0ffee00112233445566778899aabbcc@mef.example.com')).toBeUndefined();
      expect(await store.get('km1@maf.example.com')).toMatchObject({
        kind: 'Km',
        owner: 'CAE01',
        targetIds: ['maf.example.com'],
      });
      expect(store.list({ owner: 'CAE01' })).toHaveLength(3);
      expect(events.filter((e) => e.operation === 'derive' && e.outcome === 'success')).toHaveLength(2);
      expect(events.some((e) => e.operation === 'use-psk' && e.credentialId === 'km1@maf.example.com')).toBe(true);
    });

    it('a real TLS-PSK handshake uses getPskSync in the server pskCallback', async () => {
      const { store } = await open();
      const kpsa = Buffer.from('a1'.repeat(32), 'hex');
      await store.addKey('Kpsa', { credentialId: 'kpsa-tls@mef.example.com', owner: 'CSE1' }, kpsa);
      const server = createServer(
        {
          ciphers: 'PSK-AES128-GCM-SHA256',
          maxVersion: 'TLSv1.2',
          pskCallback: (_s, identity) => store.getPskSync(identity) ?? null,
        },
        (s) => s.end('hello'),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const talk = (psk: Buffer) =>
        new Promise<string>((resolve, reject) => {
          const c = connect({
            port,
            host: '127.0.0.1',
            ciphers: 'PSK-AES128-GCM-SHA256',
            maxVersion: 'TLSv1.2',
            checkServerIdentity: () => undefined,
            pskCallback: () => ({ psk, identity: 'kpsa-tls@mef.example.com' }),
          });
          let data = '';
          c.on('data', (d) => (data += d));
          c.on('end', () => resolve(data));
          c.on('error', reject);
        });
      try {
        expect(await talk(kpsa)).toBe('hello');
        await expect(talk(Buffer.from('b2'.repeat(32), 'hex'))).rejects.toThrow();
      } finally {
        server.close();
      }
    });

    it('refuses and purges an expired credential; the cache follows', async () => {
      let t = 1_700_000_000_000;
      const { store, events } = await open(() => t);
      await store.addKey(
        'Kpm',
        { credentialId: 'kpm1@mef.example.com', owner: 'CAE02', expiresAt: t + hour },
        Buffer.from('11'.repeat(32), 'hex'),
      );
      await store.addCertificate(
        'trust-anchor',
        { credentialId: 'ta-root', owner: 'SP', expiresAt: t + 2 * hour },
        Buffer.from('ROOT CA DER'),
      );
      expect(store.getPskSync('kpm1@mef.example.com')).toBeDefined();
      t += hour;
      expect(store.getPskSync('kpm1@mef.example.com')).toBeUndefined();
      const err = await store.get('kpm1@mef.example.com').catch((e) => e);
      expect(err).toBeInstanceOf(SensitiveDataError);
      expect(['EXPIRED', 'NOT_FOUND']).toContain(err.code);
      await new Promise((r) => setTimeout(r, 20));
      expect(await se.getKey('sd:key:kpm1@mef.example.com')).toBeUndefined();
      expect(events.some((e) => e.operation === 'expire' && e.credentialId === 'kpm1@mef.example.com')).toBe(true);
      t += hour;
      const e2 = await store.readCertificate('ta-root').catch((e) => e);
      expect(e2.code).toBe('EXPIRED');
      expect(e2.message).toMatch(/ta-root.*expired/);
      expect(await se.listCredentials()).toEqual([]);
      await expect(
        store.addKey('Kc', { credentialId: 'kc', owner: 'x', expiresAt: t - 1 }, Buffer.alloc(32, 1)),
      ).rejects.toThrow(/future/);
    });

    it('delete zeroises the SE key and evicts the PSK; records survive reopen', async () => {
      const { store, reopen } = await open();
      await store.addKey(
        'Kc',
        { credentialId: 'abcd@maf.example.com', owner: 'AE1', suid: 22 },
        Buffer.from('22'.repeat(32), 'hex'),
      );
      await store.addKey(
        'Kpsa',
        { credentialId: 'keep@mef.example.com', owner: 'AE1' },
        Buffer.from('33'.repeat(32), 'hex'),
      );
      await store.addCertificate('certificate', { credentialId: 'cert-ae1', owner: 'AE1' }, Buffer.from('CERT'));
      await store.delete('abcd@maf.example.com');
      expect(store.getPskSync('abcd@maf.example.com')).toBeUndefined();
      expect(await se.getKey('sd:key:abcd@maf.example.com')).toBeUndefined();
      await expect(store.delete('abcd@maf.example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(
        store.addKey('Kpsa', { credentialId: 'keep@mef.example.com', owner: 'AE1' }, Buffer.alloc(32, 4)),
      ).rejects.toMatchObject({ code: 'EXISTS' });
      await se.close();
      se = await reopen();
      const again = await CredentialStore.open({ se });
      expect(again.getPskSync('keep@mef.example.com')?.toString('hex')).toBe('33'.repeat(32));
      expect(Buffer.from(await again.readCertificate('cert-ae1')).toString()).toBe('CERT');
      expect(
        again
          .list()
          .map((r) => r.credentialId)
          .sort(),
      ).toEqual(['cert-ae1', 'keep@mef.example.com']);
      await expect(again.mac('cert-ae1', Buffer.from('x'))).rejects.toMatchObject({ code: 'WRONG_KIND' });
      expect((await again.mac('keep@mef.example.com', Buffer.from('x'))).byteLength).toBe(32);
    });

    it('open() removes a key an interrupted add left without a record', async () => {
      const { reopen } = await open();
      await se.importKey({ algorithm: 'HMAC', usages: ['mac', 'tls-psk'], id: 'sd:key:orphan' }, Buffer.alloc(32, 5));
      await se.close();
      se = await reopen();
      const store = await CredentialStore.open({ se });
      expect(store.list()).toEqual([]);
      expect(await se.getKey('sd:key:orphan')).toBeUndefined();
    });
  });
}
