// Issue 12 item 8: the SQLite database holds resources, bindings and sealed keys: it and its WAL / shared
// memory files are readable by the owner only, whatever the umask, and an older world-readable file is narrowed.
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('sqlite file modes', () => {
  it('creates the database, -wal and -shm 0600 under umask 022', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-sqlite-mode-'));
    const file = join(dir, 'resources.db');
    const old = process.umask(0o022);
    try {
      const store = await openSqliteStore({ file });
      await store.collection<string>('t').insert('k', 'v');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(f), f).toBe(true);
        expect(mode(f), f).toBe(0o600);
      }
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('narrows an existing world-readable database to 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-sqlite-mode-'));
    const file = join(dir, 'resources.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const store = await openSqliteStore({ file });
    await store.close();
    expect(mode(file)).toBe(0o600);
  });
});
