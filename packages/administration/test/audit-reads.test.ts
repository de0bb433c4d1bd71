// The audit log given the store (docs/storage.md): query walks indexes newest first and reads at most
// `limit` records among 10,000 others; records past the retention age are rotated out, oldest first.
import { countReads, openMemoryStore, openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { AUDIT_COLLECTION, AuditLog } from '../src/index.js';

describe('AuditLog over an indexed store', () => {
  for (const [name, open] of [
    ['memory', async () => openMemoryStore()],
    ['sqlite', () => openSqliteStore({ file: ':memory:' })],
  ] as const) {
    it(`${name}: query reads only the records it returns; rotation bounds the log`, async () => {
      const { store, reads } = countReads(await open());
      let t = Date.UTC(2026, 0, 1);
      const day = 86_400_000;
      const log = new AuditLog(store, () => new Date(t), {}, { maxAgeMs: 30 * day, everyRecords: 1_000_000 });
      for (let i = 0; i < 10_000; i++) {
        t += 1;
        await log.record({ kind: 'administrative-action', channel: 'http', rsc: 2000 });
      }
      t += day;
      await log.record({ kind: 'authentication-failure', channel: 'one' });
      t += 1;
      await log.record({ kind: 'administrative-action', channel: 'last', rsc: 2001 });
      reads.reset();
      const failures = await log.query({ kind: 'authentication-failure' });
      expect(failures.map((e) => e.channel)).toEqual(['one']);
      expect(failures[0]).not.toHaveProperty('k');
      expect(reads.total).toBe(1);
      reads.reset();
      const newest = await log.query({ limit: 3 });
      expect(newest.map((e) => e.channel)).toEqual(['http', 'one', 'last']); // oldest first, the newest 3
      expect(reads.total).toBe(3);
      expect((await log.query({ since: new Date(t - 1) })).map((e) => e.channel)).toEqual(['one', 'last']);
      expect(
        (await log.query({ kind: 'administrative-action', since: new Date(t - 1) })).map((e) => e.channel),
      ).toEqual(['last']);
      // 31 days later every record but the two newest is past the 30-day retention: rotated in batches.
      t += 30 * day - 2;
      let rotated = 0;
      for (let n = await log.rotate(); n > 0; n = await log.rotate()) rotated += n;
      expect(rotated).toBe(10_000);
      expect((await store.collection(AUDIT_COLLECTION).list()).length).toBe(2);
      await store.close();
    }, 120_000);
  }

  it('refuses a retention that is not a positive integer', async () => {
    expect(() => new AuditLog(openMemoryStore(), undefined, {}, { maxAgeMs: 0 })).toThrow(RangeError);
  });
});
