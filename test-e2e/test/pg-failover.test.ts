// Issue 18, the PostgreSQL primary killed under load: two IN-CSE replicas behind HAProxy over a
// pg_auto_failover pair (primary + synchronous standby, HAProxy in front of whichever node is the
// primary). While AEs write through the replicas, the primary's keeper and PostgreSQL get SIGKILL. The
// monitor promotes the standby, the replicas' connections reach it through the same address, the writers
// resume, and every CREATE acknowledged before, during or after is read back from the new primary
// (synchronous replication: an acknowledged commit is on the standby). Requests fail only between the kill
// and the promotion.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoFailoverAvailable, type FailoverCluster, startFailoverCluster } from '../src/scale/auto-failover.js';
import { type Balancer, haproxyAvailable, startHaproxy } from '../src/scale/haproxy.js';
import { type ReplicaSet, startReplicas } from '../src/scale/replicas.js';
import { aeClient, writeUntil } from '../src/scale/writers.js';

const ae = { aeId: 'Cfailover', identity: 'failover-ae@in.m2msec.org', key: randomBytes(32) };
const writers = 4;
let cluster: FailoverCluster;
let set: ReplicaSet;
let lb: Balancer;

beforeAll(async () => {
  if (!haproxyAvailable()) throw new Error('haproxy not installed (scripts/ensure-debs.sh installs it)');
  const missing = autoFailoverAvailable();
  if (missing) throw new Error(`${missing}; scripts/ensure-debs.sh installs them`);
  cluster = await startFailoverCluster();
  set = await startReplicas(2, ae, cluster.url);
  lb = await startHaproxy(set.replicas.map((r) => r.pskPort));
}, 420_000);

afterAll(async () => {
  await lb?.stop();
  await set?.stop().catch(() => undefined); // its schema goes with the cluster
  await cluster?.stop();
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('IN-CSE replicas over pg_auto_failover: the primary killed under load', () => {
  it('failover completes, every acknowledged write is on the new primary, the replicas resume', async () => {
    const c = aeClient(lb.port, ae);
    try {
      const reg = await c.request({
        op: 1,
        to: 'cse-in',
        from: ae.aeId,
        ty: 2,
        pc: { 'm2m:ae': { rn: 'failover', api: 'Nscale', rr: false, srv: ['3'] } },
      });
      expect(reg.rsc, JSON.stringify(reg.pc)).toBe(2001);
      for (let k = 0; k < writers; k++) {
        const cnt = await c.request({
          op: 1,
          to: 'cse-in/failover',
          from: ae.aeId,
          ty: 3,
          pc: { 'm2m:cnt': { rn: `data${k}` } },
        });
        expect(cnt.rsc).toBe(2001);
      }
    } finally {
      c.close();
    }
    let release!: () => void;
    const stop = new Promise<void>((r) => {
      release = r;
    });
    // One container per writer, as devices have: writers on one container contend for its row (its cni and
    // cbs), and with a synchronous standby's slower commits one replica's groups can starve the other's.
    const running = writeUntil(lb.port, ae, (k) => `cse-in/failover/data${k}`, writers, stop);
    await sleep(3000);
    const killedAt = Date.now();
    cluster.killPrimary();
    const promotedAt = await cluster.waitPromoted(180_000);
    // The writers resume: wait for acknowledged writes after the promotion, then a few seconds more.
    const log = await (async () => {
      await sleep(5000);
      release();
      return running;
    })();
    expect(log.acknowledged.length, 'writes went through').toBeGreaterThan(20);
    // Failures only in the outage (kill .. promotion, plus the pool's reconnect right after it).
    for (const f of log.failed) {
      expect(f.at, f.what).toBeGreaterThanOrEqual(killedAt);
      expect(f.at - promotedAt, f.what).toBeLessThan(5000);
    }
    // Read back through the replicas, which now reach only the new primary (node 1 is dead).
    const reader = aeClient(lb.port, ae);
    try {
      const missing: string[] = [];
      for (const path of log.acknowledged) {
        const r = await reader.request({ op: 2, to: path, from: ae.aeId });
        if (r.rsc !== 2000) missing.push(`${path}: ${r.rsc}`);
      }
      expect(missing).toEqual([]);
      // And the replicas write again after the failover.
      const after = await reader.request({
        op: 1,
        to: 'cse-in/failover/data0',
        from: ae.aeId,
        ty: 4,
        pc: { 'm2m:cin': { con: 'after' } },
      });
      expect(after.rsc).toBe(2001);
    } finally {
      reader.close();
    }
    console.log(
      `pg failover: promoted ${((promotedAt - killedAt) / 1000).toFixed(1)} s after the kill; ${log.acknowledged.length} acknowledged CREATEs, ${log.failed.length} failed during the outage, 0 lost`,
    );
  }, 300_000);
});
