import { describe, expect, it } from 'vitest';
import { openMemoryStore, openStore } from '../src/index.js';
import { collectionContract } from './collection-contract.js';
import { res, storeContract, t } from './contract.js';

storeContract('memory', { open: async () => openMemoryStore(), interleavedTwinTransactions: false });

collectionContract('memory', async () => openMemoryStore());

describe('memory specifics', () => {
  it('is a Store of kind memory whose events reach this process', async () => {
    const s = openMemoryStore();
    expect(s.kind).toBe('memory');
    const heard: Array<string | null> = [];
    await s.events.subscribe('c', (p) => heard.push(p));
    await s.transaction(async (tx) => {
      await tx.events.publish('c', 'x');
      expect(heard).toEqual([]); // delivered at commit
    });
    await expect(
      s.transaction(async (tx) => {
        await tx.events.publish('c', 'dropped');
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(heard).toEqual(['x']);
    await s.close();
    await expect(s.collection('c').get('k')).rejects.toThrow(/closed/);
    await expect(s.resources.get('C')).rejects.toThrow(/closed/);
  });

  it("opens through openStore({ kind: 'memory' }), private to each opener and not durable", async () => {
    const a = await openStore({ kind: 'memory' });
    const b = await openStore({ kind: 'memory' });
    expect(a.kind).toBe('memory');
    await a.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    expect((await a.resources.getBySrn('cse-in'))?.ri).toBe('C');
    expect(await b.resources.get('C')).toBeUndefined();
    await a.close();
    const again = await openStore({ kind: 'memory' });
    expect(await again.resources.get('C')).toBeUndefined();
    for (const s of [b, again]) await s.close();
  });

  it('rolls back a large subtree delete and a re-create under the same path exactly', async () => {
    const s = openMemoryStore();
    await s.resources.create(res('C', '', 'cse-in', { ty: 5 }));
    await s.resources.create(res('A', 'C', 'cse-in/a', { lbl: ['x'] }));
    for (let i = 0; i < 50; i++) {
      await s.resources.create(res(`I${i}`, 'A', `cse-in/a/i${i}`, { ty: 4, ct: t(i), et: t(100 + i) }));
    }
    const before = await s.resources.descendants('C');
    await expect(
      s.transaction(async (tx) => {
        expect(await tx.resources.delete('A')).toHaveLength(51);
        await tx.resources.create(res('A2', 'C', 'cse-in/a', { ty: 3, lbl: ['y'] }));
        await tx.resources.create(res('I0', 'A2', 'cse-in/a/i0', { ty: 4 }));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await s.resources.descendants('C')).toEqual(before);
    expect((await s.resources.getBySrn('cse-in/a'))?.ri).toBe('A');
    expect(await s.resources.get('A2')).toBeUndefined();
    expect(await s.resources.countChildren('A', 4)).toBe(50);
    expect(await s.resources.countChildren('A2')).toBe(0);
    expect((await s.resources.descendants('C', { lbl: ['x', 'y'] })).map((r) => r.ri)).toEqual(['A']);
    expect((await s.resources.descendants('C', { ty: [3] })).map((r) => r.ri)).toEqual([]);
    expect((await s.resources.expired(t(102), 10)).map((r) => r.ri)).toEqual(['I0', 'I1']);
    await s.close();
  });
});
