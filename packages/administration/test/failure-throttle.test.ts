// The attack: anyone who reaches a listener makes every refused request (4107 on the secure profile's plain
// listener, 4106 with a bound AE's From) a committed audit record, so a flood fills the disk and syncs per
// request. The audit log records each source once per window and counts the rest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { AUDIT_COLLECTION, AuditLog, FailureThrottle } from '../src/index.js';

const failure = (originator: string, peerAddress = '192.0.2.7') => ({
  kind: 'authentication-failure' as const,
  channel: 'http',
  originator,
  peerAddress,
  rsc: 4107,
  reason: 'a security association is required',
});

describe('FailureThrottle', () => {
  it('admits the first failure of a source per window and counts the repeats into one aggregate', () => {
    let t = 0;
    const th = new FailureThrottle({ windowMs: 1000 });
    expect(th.admit(failure('Cx'), t)).toBe(true);
    for (let i = 0; i < 99; i++) expect(th.admit(failure('Cx'), t)).toBe(false);
    expect(th.admit(failure('Cx', '192.0.2.8'), t)).toBe(true); // another source
    expect(th.drain(t)).toEqual([]); // the window is still running
    t = 1000;
    expect(th.admit(failure('Cx'), t)).toBe(true); // a new window records again
    expect(th.drain(t)).toEqual([{ ...failure('Cx'), repeated: 99 }]);
  });

  it('caps the distinct sources recorded per window and counts the rest into one overflow record', () => {
    const th = new FailureThrottle({ windowMs: 1000, maxSourcesPerWindow: 10 });
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (th.admit(failure(`C${i}`), 0)) admitted++;
    expect(admitted).toBe(10);
    const [overflow, ...rest] = th.drain(0, true);
    expect(rest).toEqual([]);
    expect(overflow).toMatchObject({ kind: 'authentication-failure', repeated: 990 });
    expect(th.drain(0, true)).toEqual([]); // counted once
  });
});

describe('AuditLog under a flood of refused requests', () => {
  it('writes records at the rate of sources, and no count is lost', async () => {
    const store = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-audit-')), 'a.db') });
    let t = Date.parse('2026-01-01T00:00:00Z');
    const audit = new AuditLog(store.collection(AUDIT_COLLECTION), () => new Date(t), { windowMs: 60_000 });
    for (let i = 0; i < 5000; i++) await audit.record(failure('Cbound'));
    // 5,000 refusals of one source: one record so far, not 5,000.
    expect((await store.collection(AUDIT_COLLECTION).list()).length).toBe(1);
    t += 61_000;
    for (let i = 0; i < 3; i++) await audit.record(failure('Cbound'));
    const all = await audit.query({ kind: 'authentication-failure' });
    expect(all.map((e) => e.repeated ?? 0)).toEqual([0, 4999, 0, 2]);
    // Each aggregate stands for its `repeated` failures, every other record for one.
    expect(all.reduce((n, e) => n + (e.repeated ?? 1), 0)).toBe(5003);
    // Administrative actions are never throttled.
    await audit.record({ kind: 'administrative-action', administrator: 'ops', op: 2, rsc: 2000 });
    await audit.record({ kind: 'administrative-action', administrator: 'ops', op: 2, rsc: 2000 });
    expect(await audit.query({ kind: 'administrative-action' })).toHaveLength(2);
    await store.close();
  });
});
