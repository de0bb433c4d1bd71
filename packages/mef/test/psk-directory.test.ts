// The MEF's PSK directory against the amplification attack: handshakes with psk_identity values the MEF never
// issued must not make it unseal its key table. Before, every miss re-read and decrypted every stored PSK.
// Also: an identity written by another MEF instance over the same store is served after one keyed read,
// and a revoked enrolee's Kpm leaves the directory at once.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KeyVault } from '@m2msec/rspf';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterEach, describe, expect, it } from 'vitest';
import { MefStore, openKeyVault } from '../src/index.js';
import { PskDirectory } from '../src/store/psk-directory.js';
import { openSe, tmp } from './helpers.js';

const settle = () => new Promise((r) => setTimeout(r, 20));

/** The MEF's vault, counting how many sealed keys are opened. */
async function countingVault(): Promise<KeyVault & { opened: number }> {
  const v = await openKeyVault(await openSe());
  const counting = {
    opened: 0,
    seal: (p: string, id: string, k: Uint8Array) => v.seal(p, id, k),
    open: (p: string, id: string, s: string) => {
      counting.opened++;
      return v.open(p, id, s);
    },
  };
  return counting;
}

const config = { enroleeId: 'e', targets: [], enrolmentExpirySeconds: 3600 } as never;

let stores: Store[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function mefStore(file: string, vault: KeyVault): Promise<MefStore> {
  const store = await openSqliteStore({ file });
  stores.push(store);
  return MefStore.open(store, vault);
}

describe('MefStore PSK directory', () => {
  it('unknown identities cost one keyed read each and open no sealed key, even with 200 PSKs stored', async () => {
    const file = join(tmp(), 'mef.db');
    const vault = await countingVault();
    const mef = await mefStore(file, vault);
    for (let i = 0; i < 200; i++) await mef.putEnrolee(`psk:kpm-${i}@mef.m2msec.org`, config, { kpm: randomBytes(32) });
    vault.opened = 0;
    for (let i = 0; i < 500; i++) {
      expect(mef.pskLookup(`attacker-${i}@mef.m2msec.org`)).toBeUndefined();
      if (i % 16 === 15) await settle();
    }
    await settle();
    expect(vault.opened).toBe(0);
    expect(mef.psks.loads).toBeLessThanOrEqual(500);
    // The same unknown identity again: remembered as missing, no read at all.
    const loads = mef.psks.loads;
    for (let i = 0; i < 100; i++) mef.pskLookup('attacker-0@mef.m2msec.org');
    expect(mef.psks.loads).toBe(loads);
    expect(mef.pskLookup('kpm-7@mef.m2msec.org')?.kind).toBe('enrolee');
  });

  it('serves an identity another instance wrote after one keyed read, and forgets a revoked one at once', async () => {
    const file = join(tmp(), 'mef.db');
    const vault = await countingVault();
    const a = await mefStore(file, vault);
    const b = await mefStore(file, vault);
    const kpm = randomBytes(32);
    await a.putEnrolee('psk:dev-1@mef.m2msec.org', config, { kpm });
    vault.opened = 0;
    expect(b.pskLookup('dev-1@mef.m2msec.org')).toBeUndefined(); // the first handshake misses
    await settle();
    expect(b.pskLookup('dev-1@mef.m2msec.org')?.key.equals(kpm)).toBe(true); // its retry succeeds
    expect(vault.opened).toBe(1);
    await a.revokeEnrolee('psk:dev-1@mef.m2msec.org');
    expect(a.pskLookup('dev-1@mef.m2msec.org')).toBeUndefined();
  });

  it('refuses a target PSK identity that names an enrolee, and the reverse, from the store not only memory', async () => {
    const file = join(tmp(), 'mef.db');
    const vault = await countingVault();
    const a = await mefStore(file, vault);
    const b = await mefStore(file, vault);
    await a.putEnrolee('psk:shared@mef.m2msec.org', config, { kpm: randomBytes(32) });
    await expect(
      b.putTarget({ targetId: '/id-in', pskIdentity: 'shared@mef.m2msec.org' } as never, randomBytes(32)),
    ).rejects.toThrow(/already names an enrolee/);
    await a.putTarget({ targetId: '/id-mn', pskIdentity: 'mn@mef.m2msec.org' } as never, randomBytes(32));
    await expect(b.putEnrolee('psk:mn@mef.m2msec.org', config, { kpm: randomBytes(32) })).rejects.toThrow(
      /already names an Enrolment Target/,
    );
  });
});

describe('PskDirectory', () => {
  it('runs at most maxLoads reads at once and wipes a loaded key that a write overtook', async () => {
    const pending: Array<() => void> = [];
    const wiped: Buffer[] = [];
    const dir = new PskDirectory<{ key: Buffer }>({
      load: () => new Promise((r) => pending.push(() => r({ key: Buffer.from([1, 2, 3]) }))),
      wipe: (e) => {
        e.key.fill(0);
        wiped.push(e.key);
      },
      maxLoads: 4,
    });
    for (let i = 0; i < 50; i++) dir.lookup(`x${i}`);
    expect(dir.loads).toBe(4);
    dir.set('x0', { key: Buffer.from([9]) });
    for (const p of pending) p();
    await settle();
    expect(dir.peek('x0')?.key).toEqual(Buffer.from([9]));
    expect(wiped.some((k) => k.equals(Buffer.from([0, 0, 0])))).toBe(true);
    expect(dir.peek('x1')?.key).toEqual(Buffer.from([1, 2, 3]));
  });
});

describe('MEF replicas on one PostgreSQL store', () => {
  it('an enrolee revoked at one instance stops opening handshakes at the other', async () => {
    const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const schema = `mef_psk_${process.pid}_${randomBytes(3).toString('hex')}`;
    const { openPostgresStore } = await import('@m2msec/store');
    const { spawnSync } = await import('node:child_process');
    const vault = await countingVault();
    const open = async () => {
      const store = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 2 });
      stores.push(store);
      return MefStore.open(store, vault);
    };
    try {
      const [a, b] = [await open(), await open()];
      const kpm = randomBytes(32);
      await a.putEnrolee('psk:dev-pg@mef.m2msec.org', config, { kpm });
      const until = async (pred: () => boolean) => {
        const end = Date.now() + 5000;
        while (!pred() && Date.now() < end) await settle();
        return pred();
      };
      // Heard through the store: no first handshake has to miss at b.
      expect(await until(() => b.psks.peek('dev-pg@mef.m2msec.org')?.key.equals(kpm) === true)).toBe(true);
      await a.revokeEnrolee('psk:dev-pg@mef.m2msec.org');
      expect(await until(() => b.pskLookup('dev-pg@mef.m2msec.org') === undefined)).toBe(true);
      a.close();
      b.close();
    } finally {
      spawnSync('psql', [PG_URL, '-q', '-c', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { timeout: 30_000 });
    }
  });
});
