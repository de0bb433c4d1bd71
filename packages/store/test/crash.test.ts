import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, 'fixtures', 'sqlite-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'm2msec-store-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the writer, SIGKILLs it after `killAfter` acknowledgements have arrived, returns the acknowledged ris. */
function writeUntilKilled(
  file: string,
  synchronous: string,
  killAfter: number,
  mode = 'write',
  nacked: string[] = [],
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = child([mode, file, synchronous]);
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    p.stderr!.on('data', (d) => {
      stderr += d;
    });
    p.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('ack ')) acked.push(l.slice(4));
        else if (l.startsWith('nack ')) nacked.push(l.slice(5));
      }
      if (acked.length >= killAfter && p.exitCode === null && !p.killed) p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('sqlite durability across processes', () => {
  const trials: Array<['normal' | 'full', number]> = [
    ['normal', 40 + Math.floor(Math.random() * 400)],
    ['normal', 1 + Math.floor(Math.random() * 40)],
    ['full', 20 + Math.floor(Math.random() * 100)],
  ];
  for (const [i, [synchronous, killAfter]] of trials.entries()) {
    it(`keeps every acknowledged write after SIGKILL (synchronous=${synchronous}, kill after ${killAfter} acks)`, async () => {
      const file = join(dir, `crash-${i}.db`);
      const first = await writeUntilKilled(file, synchronous, killAfter);
      const second = await writeUntilKilled(file, synchronous, killAfter); // recovery, then more writes
      const acked = [...first, ...second];
      expect(acked.length).toBeGreaterThanOrEqual(2 * killAfter);
      const store = await openSqliteStore({ file });
      const missing: string[] = [];
      for (const ri of acked) if ((await store.resources.get(ri)) === undefined) missing.push(ri);
      expect(missing).toEqual([]);
      // transactional writes are all-or-nothing: every child stored has its parent and its collection entry
      const children = await store.resources.descendants('C', { lvl: 2 });
      for (const r of children.filter((x) => x.srn.split('/').length === 3)) {
        expect(await store.resources.get(r.pi)).toBeDefined();
        expect(await store.collection('acks').get(r.pi)).toBeDefined();
      }
      await store.close();
      const db = new Database(file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    });
  }

  for (const synchronous of ['normal', 'full'] as const) {
    it(`group commit: 16 concurrent transactional writers, SIGKILL, every acknowledged one kept (synchronous=${synchronous})`, async () => {
      const file = join(dir, `group-${synchronous}.db`);
      const nacked: string[] = [];
      const killAfter = 200 + Math.floor(Math.random() * 300);
      const acked = await writeUntilKilled(file, synchronous, killAfter, 'write-concurrent', nacked);
      expect(acked.length).toBeGreaterThanOrEqual(killAfter);
      expect(nacked.length).toBeGreaterThan(0);
      const store = await openSqliteStore({ file });
      const missing: string[] = [];
      for (const ri of acked) {
        if ((await store.resources.get(ri)) === undefined || !(await store.collection('acks').get(ri)))
          missing.push(ri);
      }
      expect(missing).toEqual([]);
      // a transaction that failed inside a group left nothing, while its neighbours committed
      for (const ri of nacked) expect(await store.resources.get(ri)).toBeUndefined();
      await store.close();
    });
  }

  it('serializes transactions of two processes on one file (no lost updates)', async () => {
    const file = join(dir, 'counter.db');
    await (await openSqliteStore({ file })).close();
    const runs = [child(['count', file, '25']), child(['count', file, '25'])];
    await Promise.all(
      runs.map(
        (p) =>
          new Promise<void>((resolve, reject) => {
            let stderr = '';
            p.stderr!.on('data', (d) => {
              stderr += d;
            });
            p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`counter exited ${code}: ${stderr}`))));
          }),
      ),
    );
    const store = await openSqliteStore({ file });
    expect(await store.collection<number>('counter').get('n')).toBe(50);
    await store.close();
  });
});
