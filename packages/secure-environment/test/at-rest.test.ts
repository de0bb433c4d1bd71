// Issue 12 item 8, the rules: secret files readable by their owner only, the KEK never silently beside the
// keystore it protects, a KEK from the environment removed from it once read, data directories 0700.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSecretFileMode,
  createKeyFile,
  isInside,
  keyInArgvRefused,
  openSoftwareSecureEnvironment,
  prepareDataDir,
  readHexKeySource,
  resolveKekSource,
  SecretAtRestError,
} from '../src/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'm2msec-at-rest-'));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('checkSecretFileMode', () => {
  it.each([0o644, 0o640, 0o604, 0o660, 0o606])('refuses mode %s, naming the file and the chmod fix', (m) => {
    const f = join(tmp(), 'kek');
    writeFileSync(f, randomBytes(32));
    chmodSync(f, m);
    expect(() => checkSecretFileMode(f, 'key-encryption key file')).toThrow(SecretAtRestError);
    expect(() => checkSecretFileMode(f, 'key-encryption key file')).toThrow(`chmod 600 ${f}`);
  });
  it('accepts 0600 and 0400', () => {
    const f = join(tmp(), 'kek');
    writeFileSync(f, randomBytes(32), { mode: 0o600 });
    expect(() => checkSecretFileMode(f, 'x')).not.toThrow();
    chmodSync(f, 0o400);
    expect(() => checkSecretFileMode(f, 'x')).not.toThrow();
  });
  it('refuses a missing file and a directory', () => {
    const d = tmp();
    expect(() => checkSecretFileMode(join(d, 'none'), 'x')).toThrow(/cannot be read/);
    expect(() => checkSecretFileMode(d, 'x')).toThrow(/not a regular file/);
  });
  it('readHexKeySource reads owner-only hex files and refuses others', () => {
    const f = join(tmp(), 'k.hex');
    writeFileSync(f, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    expect(readHexKeySource(f, '--key-file').toString('hex')).toBe('ab'.repeat(32));
    chmodSync(f, 0o644);
    expect(() => readHexKeySource(f, '--key-file')).toThrow(/chmod 600/);
  });
  it('the argv refusal names the replacement', () => {
    expect(keyInArgvRefused('--key-hex', '--key-file').message).toMatch(/--key-file <file>.*--key-file - /);
  });
});

describe('resolveKekSource', () => {
  it('refuses the default KEK inside the data directory unless allowed', () => {
    const dataDir = tmp();
    expect(() => resolveKekSource({ dataDir, allowInsideDataDir: false, env: {} })).toThrow(
      /inside the data directory/,
    );
    expect(existsSync(join(dataDir, 'keystore.key'))).toBe(false); // refused before anything is created
    const explicit = join(dataDir, 'sub', 'kek');
    expect(() => resolveKekSource({ dataDir, keyFile: explicit, allowInsideDataDir: false, env: {} })).toThrow(
      /inside the data directory/,
    );
    const s = resolveKekSource({ dataDir, allowInsideDataDir: true, env: {} });
    expect(s).toMatchObject({ kind: 'file', insideDataDir: true });
  });
  it('creates a KEK file outside the data directory 0600 and refuses it once group/world-readable', () => {
    const dataDir = tmp();
    const keyFile = join(tmp(), 'kek');
    const s = resolveKekSource({ dataDir, keyFile, allowInsideDataDir: false, env: {} });
    expect(s).toEqual({ kind: 'file', keyFile, insideDataDir: false });
    expect(mode(keyFile)).toBe(0o600);
    chmodSync(keyFile, 0o644);
    expect(() => resolveKekSource({ dataDir, keyFile, allowInsideDataDir: false, env: {} })).toThrow(
      `chmod 600 ${keyFile}`,
    );
  });
  it('takes M2MSEC_KEK (hex or base64) and deletes it from the environment', () => {
    const key = randomBytes(32);
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      const env: NodeJS.ProcessEnv = { M2MSEC_KEK: text };
      const s = resolveKekSource({ dataDir: tmp(), allowInsideDataDir: false, env });
      expect(s.kind).toBe('env');
      expect(Buffer.from((s as { kek: Uint8Array }).kek).equals(key)).toBe(true);
      expect(env.M2MSEC_KEK).toBeUndefined();
    }
    const bad: NodeJS.ProcessEnv = { M2MSEC_KEK: 'abcd' };
    expect(() => resolveKekSource({ dataDir: tmp(), allowInsideDataDir: false, env: bad })).toThrow(/32-byte key/);
    expect(bad.M2MSEC_KEK).toBeUndefined();
  });
  it('a keystore created with a key file opens with the same bytes from the environment', async () => {
    const dir = tmp();
    const keyFile = join(tmp(), 'kek');
    createKeyFile(keyFile);
    const se = await openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile });
    await se.close();
    expect(mode(join(dir, 'ks.json'))).toBe(0o600);
    const { readFileSync } = await import('node:fs');
    const env: NodeJS.ProcessEnv = { M2MSEC_KEK: readFileSync(keyFile).toString('hex') };
    const s = resolveKekSource({ dataDir: dir, allowInsideDataDir: false, env });
    const again = await openSoftwareSecureEnvironment({
      path: join(dir, 'ks.json'),
      kek: (s as { kek: Uint8Array }).kek,
    });
    await again.close();
    const wrong = openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), kek: randomBytes(32) });
    await expect(wrong).rejects.toThrow();
  });
  it('isInside', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
  });
});

describe('prepareDataDir', () => {
  it('creates 0700 and narrows an existing 0755 directory', () => {
    const d = join(tmp(), 'data');
    prepareDataDir(d);
    expect(mode(d)).toBe(0o700);
    const e = join(tmp(), 'old');
    mkdirSync(e, { mode: 0o755 });
    chmodSync(e, 0o755);
    prepareDataDir(e);
    expect(mode(e)).toBe(0o700);
  });
});
