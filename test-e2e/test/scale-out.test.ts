// Issue 18, scale-out on host processes: three IN-CSE replicas on one PostgreSQL behind HAProxy (TCP
// mode, TLS passthrough, so each AE's TLS-PSK association is made with a replica). Under a steady
// write load one replica is killed (SIGKILL): the writers carry on through the others, only requests
// in flight at the kill fail, and every acknowledged CREATE is read back afterwards.
// (The same topology in Docker images is the docker scenario's job; this one needs no engine.)
import { randomBytes } from 'node:crypto';
import { OneM2MClient } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Balancer, haproxyAvailable, startHaproxy } from '../src/scale/haproxy.js';
import { type Replica, type ReplicaSet, startReplicas } from '../src/scale/replicas.js';
import { aeClient, writeUntil } from '../src/scale/writers.js';

const ae = { aeId: 'Cscale', identity: 'scale-ae@in.m2msec.org', key: randomBytes(32) };
let set: ReplicaSet;
let lb: Balancer;

beforeAll(async () => {
  if (!haproxyAvailable()) throw new Error('haproxy not installed (scripts/ensure-debs.sh installs it)');
  set = await startReplicas(3, ae);
  lb = await startHaproxy(set.replicas.map((r) => r.pskPort));
}, 180_000);

afterAll(async () => {
  await lb?.stop();
  await set?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three IN-CSE replicas behind HAProxy on one PostgreSQL', () => {
  it('spreads one AE over the replicas: registered through one, served by all', async () => {
    const c = aeClient(lb.port, ae);
    try {
      const reg = await c.request({
        op: 1,
        to: 'cse-in',
        from: ae.aeId,
        ty: 2,
        pc: { 'm2m:ae': { rn: 'scale', api: 'Nscale', rr: false, srv: ['3'] } },
      });
      expect(reg.rsc, JSON.stringify(reg.pc)).toBe(2001);
      const cnt = await c.request({
        op: 1,
        to: 'cse-in/scale',
        from: ae.aeId,
        ty: 3,
        pc: { 'm2m:cnt': { rn: 'data' } },
      });
      expect(cnt.rsc).toBe(2001);
    } finally {
      c.close();
    }
    // Each replica, asked directly, knows the AE's container (the store is shared).
    for (const r of set.replicas) {
      const direct = aeClient(r.pskPort, ae);
      try {
        expect((await direct.request({ op: 2, to: 'cse-in/scale/data', from: ae.aeId })).rsc).toBe(2000);
      } finally {
        direct.close();
      }
    }
  });

  it('a replica killed under load: writers continue, no acknowledged write is lost', async () => {
    const writers = 6;
    let release!: () => void;
    const stop = new Promise<void>((r) => {
      release = r;
    });
    const running = writeUntil(lb.port, ae, 'cse-in/scale/data', writers, stop);
    await sleep(2500);
    const killedAt = Date.now();
    await set.replicas[1]!.cse.stop('SIGKILL');
    await sleep(2500);
    release();
    const log = await running;
    const afterKill = log.acknowledged.length;
    expect(afterKill, 'writes went through').toBeGreaterThan(50);
    // Only what was in flight to the killed replica fails (a request per writer, plus one each whose
    // connection had been opened to it just before HAProxy's check took it out).
    expect(log.failed.length, JSON.stringify(log.failed.slice(0, 5))).toBeLessThanOrEqual(2 * writers);
    for (const f of log.failed) expect(f.at - killedAt).toBeLessThan(2000);
    // Every acknowledged CREATE is there, read through the balancer from the surviving replicas.
    const reader = aeClient(lb.port, ae);
    try {
      const missing: string[] = [];
      for (const path of log.acknowledged) {
        const r = await reader.request({ op: 2, to: path, from: ae.aeId });
        if (r.rsc !== 2000) missing.push(`${path}: ${r.rsc}`);
      }
      expect(missing).toEqual([]);
      console.log(
        `scale-out: ${log.acknowledged.length} acknowledged CREATEs, ${log.failed.length} failed (in flight at the kill), 0 lost`,
      );
    } finally {
      reader.close();
    }
  }, 120_000);

  it('a PSK revoked at one replica is refused by the others and their live sessions end', async () => {
    const [r1, , r3] = set.replicas as [Replica, Replica, Replica];
    // A kept-alive session at replica 3, opened before the revocation.
    const live = aeClient(r3.pskPort, ae);
    expect((await live.request({ op: 2, to: 'cse-in/scale/data', from: ae.aeId })).rsc).toBe(2000);
    const admin = new OneM2MClient({
      baseUrl: `https://127.0.0.1:${r1.pskPort}`,
      framework: { kind: 'psk', identity: set.admin.identity, key: set.admin.key },
    });
    try {
      const r = await admin.request({ op: 4, to: `.well-known/m2msec/credentials/psk/${ae.identity}`, from: 'CAdmin' });
      expect(r.status, JSON.stringify(r.pc)).toBe(200);
    } finally {
      admin.close();
    }
    const refusedAt = async (port: number) => {
      const c = aeClient(port, ae);
      try {
        await c.request({ op: 2, to: 'cse-in/scale/data', from: ae.aeId });
        return false;
      } catch {
        return true; // no handshake with a revoked key
      } finally {
        c.close();
      }
    };
    const end = Date.now() + 10_000;
    while (!(await refusedAt(r3.pskPort)) && Date.now() < end) await sleep(100);
    expect(await refusedAt(r3.pskPort)).toBe(true);
    expect(await refusedAt(r1.pskPort)).toBe(true);
    await expect(live.request({ op: 2, to: 'cse-in/scale/data', from: ae.aeId })).rejects.toThrow();
    live.close();
  });
});
