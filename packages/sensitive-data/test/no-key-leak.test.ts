// After a full run over both SEs and the store (audit sinks and loggers captured, errors
// provoked), no key's bytes appear in keystore files, logs, audit events or error messages.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deriveKm } from '@m2msec/crypto';
import { expect, it } from 'vitest';
import { CredentialStore } from '../src/index.js';
import { seMakers } from './fixtures.js';

function forms(key: Buffer): string[] {
  return [
    key.toString('hex'),
    key.toString('hex').toUpperCase(),
    key.toString('base64'),
    key.toString('base64url'),
    key.toString('base64').replace(/=+$/, ''),
  ];
}

/** Every place a secret shows up in raw files (bytes) or text (any encoded form). */
function findLeaks(
  secrets: Buffer[],
  rawFiles: { where: string; bytes: Buffer }[],
  haystacks: { where: string; text: string }[],
): string[] {
  const leaks: string[] = [];
  for (const key of secrets) {
    for (const { where, bytes } of rawFiles) if (bytes.includes(key)) leaks.push(`raw key bytes in ${where}`);
    for (const form of forms(key)) {
      for (const { where, text } of haystacks)
        if (text.includes(form)) leaks.push(`key (${form.slice(0, 6)}…) in ${where}`);
    }
  }
  return leaks;
}

it('the scan finds a planted key in every encoding (so a clean scan means something)', () => {
  const key = Buffer.from('0badc0de'.repeat(8), 'hex');
  const planted = [{ where: 'raw file', bytes: Buffer.concat([Buffer.from('header'), key, Buffer.from('trailer')]) }];
  const texts = forms(key).map((form, i) => ({ where: `log ${i}`, text: `level=info msg="derived" value=${form}` }));
  const leaks = findLeaks([key], planted, texts);
  expect(leaks).toContain('raw key bytes in raw file');
  for (let i = 0; i < texts.length; i++) expect(leaks.some((l) => l.endsWith(`in log ${i}`))).toBe(true);
  expect(findLeaks([key], [{ where: 'clean', bytes: Buffer.from('nothing here') }], [])).toEqual([]);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

it('no key bytes in keystore files, audit events, logs or error messages (both SEs)', { timeout: 60_000 }, async () => {
  const keys = [
    Buffer.from('c3'.repeat(8) + '5a17'.repeat(12), 'hex'),
    Buffer.from(`${'9e'.repeat(4) + '0123456789abcdef'.repeat(3)}feedbeef`, 'hex'),
  ];
  const captured: string[] = [];
  const logger = {
    debug: (m: string, f?: Record<string, unknown>) => captured.push(m, JSON.stringify(f ?? {})),
    warn: (m: string, f?: Record<string, unknown>) => captured.push(m, JSON.stringify(f ?? {})),
  };
  const secrets: Buffer[] = [...keys];
  const stores: string[] = [];
  for (const maker of seMakers) {
    const m = await maker.make((e) => captured.push(JSON.stringify(e)), logger);
    stores.push(m.files);
    const se = m.se;
    const store = await CredentialStore.open({ se, audit: (e) => captured.push(JSON.stringify(e)), logger });
    await store.addKey('Ke', { credentialId: 'leak-ke@mef', owner: 'o' }, keys[0]!);
    await store.deriveFromKe(
      'leak-ke@mef',
      { kind: 'Km', mafId: 'maf.example' },
      { credentialId: 'leak-km@maf', owner: 'o' },
    );
    secrets.push(deriveKm(keys[0]!, 'maf.example'));
    await store.addKey('Kpsa', { credentialId: 'leak-kpsa@mef', owner: 'o' }, keys[1]!);
    await store.mac('leak-kpsa@mef', Buffer.from('data'));
    store.getPskSync('leak-kpsa@mef');
    const kek = await se.importKey({ algorithm: 'AES', usages: ['wrap'], id: 'leak-kek' }, keys[1]!);
    const sk = await se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'leak-session' }, keys[0]!);
    const s = await se.beginProvisioning('issuer', sk);
    s.stage({ op: 'import-key', spec: { algorithm: 'HMAC', usages: ['mac'], id: 'leak-prov' }, material: keys[1]! });
    await s.commit(Buffer.alloc(16, 1));
    // deliberately provoked errors: every message is captured
    const attempts: Promise<unknown>[] = [
      se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'leak-prov' }, keys[0]!),
      se.importKey({ algorithm: 'HMAC', usages: ['mac'] }, keys[0]!.subarray(0, 16)),
      se.importKey({ algorithm: 'EC-P256', usages: ['sign'] }, keys[0]!),
      se.unwrapKey(kek, Buffer.concat([keys[0]!, Buffer.alloc(8)]), { algorithm: 'HMAC', usages: ['mac'] }),
      se.decrypt('leak-kek', { iv: Buffer.alloc(12), ciphertext: keys[1]! }),
      se.sign('leak-session', keys[0]!),
      se.exportPskForTls('leak-session'),
      store.addKey('Kpsa', { credentialId: 'leak-kpsa@mef', owner: 'o' }, keys[0]!),
      store.mac('leak-ke@mef', keys[1]!),
      store.get('missing'),
      store.addKey('Kc', { credentialId: 'bad\nid', owner: 'o' }, keys[0]!),
    ];
    for (const a of attempts) {
      const err = await a.then(
        () => new Error('expected a failure'),
        (e: Error) => e,
      );
      expect(err.message).not.toBe('expected a failure');
      captured.push(err.message, String(err.stack), JSON.stringify(err));
    }
    await store.delete('leak-kpsa@mef');
    store.close();
    await se.close();
  }
  const haystacks: { where: string; text: string }[] = captured.map((text, i) => ({ where: `captured[${i}]`, text }));
  const rawFiles: { where: string; bytes: Buffer }[] = [];
  for (const dir of stores) {
    for (const f of filesUnder(dir)) {
      const bytes = readFileSync(f);
      rawFiles.push({ where: f, bytes });
      haystacks.push({ where: f, text: bytes.toString('latin1') });
    }
  }
  expect(rawFiles.length).toBeGreaterThan(3);
  expect(captured.length).toBeGreaterThan(50);
  expect(findLeaks(secrets, rawFiles, haystacks)).toEqual([]);
});
