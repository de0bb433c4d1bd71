// The PSK identity router (issue 11 item 4): ordered matchers, the first whose form fits decides, each
// giving key, framework, Credential-ID, proven IDs and expiry. Attack first: with many Kpsa stored, an
// unknown psk_identity of any form is refused without listing the credentials or unsealing any key (the
// MEF once decrypted its whole table per unknown identity, an amplification an attacker could trigger).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MafKeyCache } from '@m2msec/saef';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { CredentialStore } from '@m2msec/sensitive-data';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialStorePskDirectory,
  directoryMatcher,
  PskIdentityRouter,
  pskIdentityRouter,
  resolvePskIdentity,
} from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
const STORED = 200;
const known = randomBytes(32);
let credentials: CredentialStore;
let kpsa: CredentialStorePskDirectory;
const calls = { unseal: 0, list: 0 };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-sa-router-'));
  const se = await openSoftwareSecureEnvironment({
    path: join(dir, 'se.json'),
    passphrase: 'test',
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  credentials = await CredentialStore.open({ se });
  for (let i = 0; i < STORED; i++)
    await credentials.addKey(
      'Kpsa',
      { credentialId: `kpsa-${i}@mef.m2msec.org`, owner: 'test' },
      i === 7 ? known : randomBytes(32),
    );
  kpsa = new CredentialStorePskDirectory(credentials);
  // Count what a lookup costs from here on: listing the credentials, unsealing a key.
  const getPskSync = credentials.getPskSync.bind(credentials);
  const list = credentials.list.bind(credentials);
  credentials.getPskSync = (id: string) => {
    calls.unseal++;
    return getPskSync(id);
  };
  credentials.list = ((q: Parameters<CredentialStore['list']>[0]) => {
    calls.list++;
    return list(q);
  }) as CredentialStore['list'];
}, 300_000);

describe('PskIdentityRouter', () => {
  it('the first matcher whose form fits decides; the KpsaID directory is the catch-all, last', () => {
    const seen: string[] = [];
    const dir = (name: string) => ({
      lookup: (id: string) => {
        seen.push(`${name}:${id}`);
        return { key: Buffer.from(name) };
      },
    });
    const router = new PskIdentityRouter([
      directoryMatcher({
        directory: dir('btid'),
        matches: (id) => id.endsWith('==@bsf.example'),
        credentialId: (id) => `12-gba:${id}`,
      }),
      directoryMatcher({ directory: dir('keid'), matches: (id) => id.endsWith('@mef.example') }),
      directoryMatcher({ directory: dir('kpsa') }),
    ]);
    expect(router.resolve('AAAAAAAAAAAAAAAAAAAAAA==@bsf.example')).toMatchObject({
      credentialId: '12-gba:AAAAAAAAAAAAAAAAAAAAAA==@bsf.example',
    });
    expect(router.resolve('00ff@mef.example')).toMatchObject({ framework: 'psk', credentialId: '12-00ff@mef.example' });
    expect(router.resolve('plain')).toMatchObject({ framework: 'psk' });
    expect(seen).toEqual(['btid:AAAAAAAAAAAAAAAAAAAAAA==@bsf.example', 'keid:00ff@mef.example', 'kpsa:plain']);
    expect(new PskIdentityRouter([]).resolve('x')).toEqual({
      refused: 'no framework serves this psk_identity',
      framework: 'none',
    });
  });

  it('standard order: DerivedKey, MAF, the caller’s matchers, then KpsaIDs; a known Kpsa gives its facts', () => {
    const maf = new MafKeyCache({ mafFqdns: ['maf.m2msec.org'] });
    const router = pskIdentityRouter({ idContext, kpsa, maf });
    expect(router.matchers.map((m) => m.framework)).toEqual(['derived-key', 'maf', 'psk']);
    calls.unseal = 0;
    const r = router.resolve('kpsa-7@mef.m2msec.org');
    expect(r).toMatchObject({ framework: 'psk', credentialId: '12-kpsa-7@mef.m2msec.org', provenIds: [] });
    expect(Buffer.from((r as { key: Uint8Array }).key)).toEqual(known);
    expect(calls.unseal).toBe(1); // exactly the one key asked for
  });

  it(`attack: unknown identities of every form, with ${STORED} Kpsa stored, list nothing and unseal nothing`, () => {
    const maf = new MafKeyCache({ mafFqdns: ['maf.m2msec.org'] });
    const sources = { idContext, kpsa, maf };
    calls.unseal = 0;
    calls.list = 0;
    const forms = [
      () => `attacker-${randomBytes(8).toString('hex')}@mef.m2msec.org`, // KpsaID form
      () => `${randomBytes(16).toString('hex')}@maf.m2msec.org`, // a trusted MAF's Key Identifier form
      () => `${randomBytes(16).toString('hex')}@maf.evil.example`, // an untrusted MAF
      () => `DK.${randomBytes(8).toString('hex')}`, // DerivedKey, not enabled
    ];
    for (let i = 0; i < 4000; i++) {
      const r = resolvePskIdentity(forms[i % forms.length]!(), sources);
      expect('refused' in r).toBe(true);
    }
    expect(calls.list).toBe(0);
    expect(calls.unseal).toBe(0);
  });
});
