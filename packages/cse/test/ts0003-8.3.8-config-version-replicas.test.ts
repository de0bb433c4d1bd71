// configVersion (cfgv) of a security <mgmtObj> across two CSE instances sharing one PostgreSQL store (the
// scale-out set-up, docs/scale-out.md; docs/remote-security-config.md). Each instance queues the UPDATEs
// of a resource only for itself, so the version check must hold in the store: concurrent configuration
// changes through both instances must each get a version of their own (none silently undone), and a
// device's report of an older version must never mark a newer configuration applied. The database is a
// private PostgreSQL cluster of this test (test-support), not the machine's server.
import type { RequestPrimitive } from '@m2msec/protocol';
import { openPostgresStore, type Store } from '@m2msec/store';
import { type PrivatePostgres, startPrivatePostgres } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cse } from '../src/index.js';
import { http } from './setup.js';

const admin = 'CAdmin';
const ROUNDS = 8;
const WRITERS = 6; // concurrent UPDATEs per round, alternating between the two instances
let pg: PrivatePostgres;
const replicas: Array<{ cse: Cse; store: Store }> = [];
let n = 0;

const send = (i: number, req: Partial<RequestPrimitive> & { op: number; to: string }) =>
  replicas[i % 2]!.cse.handle({ rqi: `r${++n}`, rvi: '3', fr: admin, ...req }, http);

beforeAll(async () => {
  pg = await startPrivatePostgres();
  // One after the other: the second opens the schema the first migrated.
  for (let i = 0; i < 2; i++) {
    const store = await openPostgresStore({ connectionString: pg.url, schema: 'cfgv_replicas', maxConnections: 4 });
    const cse = await Cse.open({
      store,
      appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
      config: { expirySweepMs: 0 },
    });
    replicas.push({ cse, store });
  }
}, 120_000);

afterAll(async () => {
  for (const r of replicas) {
    await r.cse.stop();
    await r.store.close();
  }
  pg?.destroy();
});

const tac = (r: { pc?: unknown }) => (r.pc as Record<string, Record<string, unknown>> | undefined)?.['m2m:tac'];

describe('configVersion across two CSE instances on one PostgreSQL store', () => {
  it('concurrent changes and reports through both instances: every accepted change has its own version, no report marks a newer version applied', async () => {
    const node = await send(0, {
      op: 1,
      to: 'cse-in',
      ty: 14,
      pc: { 'm2m:nod': { rn: 'node1', ni: 'urn:dev:ops:r1' } },
    });
    expect(node.rsc, node.dbg).toBe(2001);
    const fingerprint = 'a'.repeat(64);
    const made = await send(1, {
      op: 1,
      to: 'cse-in/node1',
      ty: 13,
      pc: { 'm2m:tac': { rn: 'ta', mgd: 1024, cfp: fingerprint, turi: 'https://127.0.0.1/0.pem' } },
    });
    expect(made.rsc, made.dbg).toBe(2001);
    let version = 1;
    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // The device reports the version it read while the administrators write new ones through both instances.
      const outcomes = await Promise.all([
        send(round, {
          op: 3,
          to: 'cse-in/node1/ta',
          pc: { 'm2m:tac': { cfgv: version, apst: 2, aprs: `applied ${version}`, aptm: '20261208T000000' } },
        }).then((r) => ({ kind: 'report' as const, r })),
        ...Array.from({ length: WRITERS }, (_, w) =>
          send(round + w + 1, {
            op: 3,
            to: 'cse-in/node1/ta',
            pc: { 'm2m:tac': { turi: `https://127.0.0.1/${round}-${w}.pem` } },
          }).then((r) => ({ kind: 'change' as const, r, turi: `https://127.0.0.1/${round}-${w}.pem` })),
        ),
      ]);
      for (const { r } of outcomes) {
        // Accepted, or refused as a conflict with a message; never 5000, never anything else.
        expect([2004, 4105], `${r.rsc} ${r.dbg}`).toContain(r.rsc);
        if (r.rsc === 4105) {
          conflicts++;
          expect(r.dbg).toMatch(/configVersion/);
        }
      }
      const accepted = outcomes.filter((o) => o.kind === 'change' && o.r.rsc === 2004);
      const versions = accepted.map((o) => tac(o.r)!.cfgv as number).sort((a, b) => a - b);
      // Each accepted change moved the version by one: none was written over by another instance's.
      expect(versions).toEqual(accepted.map((_, i) => version + 1 + i));
      const now = tac(await send(round, { op: 2, to: 'cse-in/node1/ta' }))!;
      expect(now.cfgv).toBe(version + accepted.length);
      if (accepted.length > 0) {
        // The last accepted change is what is stored, pending: an older report never marked it applied.
        const last = accepted.find((o) => tac(o.r)!.cfgv === now.cfgv)!;
        expect([now.turi, now.apst]).toEqual([(last as { turi: string }).turi, 1]);
      }
      version = now.cfgv as number;
    }
    // At least one change went through in every round; the instances did contend.
    expect(version).toBeGreaterThanOrEqual(1 + ROUNDS);
    expect(conflicts).toBeGreaterThan(0);
  }, 180_000);
});
