import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../src/index.js';
import { collectionContract } from './collection-contract.js';

collectionContract('memory', async () => openMemoryStore());

describe('memory specifics', () => {
  it('is a CollectionStore of kind memory whose events reach this process', async () => {
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
  });
});
