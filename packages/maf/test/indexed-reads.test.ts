// No full scan on a request path (issue 11 item 6, docs/storage.md): with 10,000 unrelated records,
// an unknown KmID at the handshake reads one entry (was: every Km, decrypted), and the purge reads only
// what expired (was: every registration and credential).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { countReads, openSqliteStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MafStore, openMafVault } from '../src/index.js';

const N = 10_000;
let clock = Date.now();
let maf: MafStore;
let reads: ReturnType<typeof countReads>['reads'];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maf-reads-'));
  createKeyFile(join(dir, 'k.key'));
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile: join(dir, 'k.key') });
  const counted = countReads(await openSqliteStore({ file: join(dir, 'maf.db'), synchronous: 'normal' }));
  reads = counted.reads;
  maf = await MafStore.open(counted.store, await openMafVault(se), () => clock);
  const et = clock + 3_600_000;
  await counted.store.transaction(async (tx) => {
    for (let i = 0; i < N; i++) {
      const reg = { mafClientRegID: `R${i}`, clientId: `c${i}`, adminFQDN: 'a.example', et, credentialId: 'x', ct: 0 };
      await tx.collection('maf-client-regs').put(`R${i}`, reg);
      await tx.collection('maf-key-regs').put(`K${i}`, { relativeKeyID: `K${i}`, et, targetIDs: [] });
      await tx
        .collection('maf-credentials')
        .put(`cert:n${i}.example`, { credentialId: `cert:n${i}.example`, kind: 'certificate', clientId: `c${i}` });
    }
  });
}, 120_000);
afterAll(() => maf?.close());

describe(`MAF request paths read a bounded number of entries among ${N} unrelated ones`, () => {
  it('an unknown KmID at the handshake reads one key, never every Km', async () => {
    reads.reset();
    for (let i = 0; i < 20; i++) expect(maf.kmLookup(`unknown-${i}@maf.example`)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(reads.total).toBe(0); // 20 point reads, each finding nothing
  });

  it('a KmID another instance added is found by its key after one miss', async () => {
    const rec = await maf.sealKm(
      { kmId: 'Late@maf.example', clientId: 'late', suid: 11, createdAt: clock },
      Buffer.alloc(32, 7),
    );
    await maf.store.collection('maf-credentials').put(rec.credentialId, rec); // as another instance would
    reads.reset();
    expect(maf.kmLookup('late@MAF.example')).toBeUndefined();
    const end = Date.now() + 5000;
    while (!maf.kmLookup('late@maf.example') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(maf.kmLookup('late@maf.example')?.key.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(reads.total).toBe(1);
  });

  it('purgeExpired reads only the expired entries', async () => {
    reads.reset();
    expect(await maf.purgeExpired()).toBe(0);
    expect(reads.total).toBe(0);
    clock += 3_600_001; // now everything has expired
    expect(await maf.purgeExpired()).toBe(2 * N);
    expect(await maf.keyRegs.list('', 1)).toEqual([]);
  }, 120_000);
});
