import type { RequestPrimitive } from '@m2msec/protocol';
import { openMemoryStore, openSqliteStore } from '@m2msec/store';
import { Cse, type CseOptions } from '../src/index.js';

export const http = { binding: 'http' as const, peerAddress: '127.0.0.1' };
let n = 0;

/**
 * The store of the suites that do not run on every store (stores.ts): SQLite in memory, or the in-memory
 * store with M2MSEC_CSE_TEST_STORE=memory (the whole suite as a drop-in check of that store, docs/storage.md).
 */
async function openDefaultStore() {
  const kind = process.env.M2MSEC_CSE_TEST_STORE ?? 'sqlite';
  if (kind === 'memory') return openMemoryStore();
  if (kind !== 'sqlite') throw new Error(`M2MSEC_CSE_TEST_STORE must be 'sqlite' or 'memory', not '${kind}'`);
  return openSqliteStore({ file: ':memory:' });
}

export async function openTestCse(extra: Partial<CseOptions> = {}) {
  const store = await openDefaultStore();
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0 },
    ...extra,
  });
  const send = (req: Partial<RequestPrimitive> & { op: number; to: string }) =>
    cse.handle({ rqi: `r${++n}`, rvi: '3', ...req }, http);
  const registerAe = async (from: string) => {
    const r = await send({
      op: 1,
      to: 'cse-in',
      fr: from,
      ty: 2,
      pc: { 'm2m:ae': { api: 'Ntest', rr: true, srv: ['3'], poa: [] } },
    });
    if (r.rsc !== 2001) throw new Error(`register ${from}: ${r.rsc} ${r.dbg}`);
    return r;
  };
  return { cse, store, send, registerAe };
}
