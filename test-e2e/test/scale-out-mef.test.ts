// Issue 18, a MEF replica killed under load, on host processes: two MEF replicas on one PostgreSQL schema
// (one KEK) behind HAProxy (TCP mode: the MEF Handshake's TLS-PSK session is made with a replica, and an
// enrolment's requests stay on it). Enrolees enrol again and again through the balancer while one replica
// gets SIGKILL: the enrolees carry on through the other, only enrolments in flight at the kill fail, and
// afterwards the Enrolment Target fetches, through the balancer, the key of every enrolment an enrolee
// saw completed, equal to the key the enrolee derived (TS-0003 8.3.2.1 / 8.3.5).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentEnrolment, enrol, fetchCredentials, targetPsk } from '@m2msec/rspf';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Balancer, haproxyAvailable, startHaproxy } from '../src/scale/haproxy.js';
import { MEF_FQDN, type MefSet, startMefReplicas } from '../src/scale/mefs.js';

const SUID = 22; // RSPF-based SAEF (TS-0003 Table 8.3.5.2-1)
const target = { pskIdentity: 'in-cse-scale', key: randomBytes(32) };
const workers = 5;
let set: MefSet;
let lb: Balancer;

beforeAll(async () => {
  if (!haproxyAvailable()) throw new Error('haproxy not installed (scripts/ensure-debs.sh installs it)');
  set = await startMefReplicas(2);
  lb = await startHaproxy(set.replicas.map((r) => r.pskPort));
  const t = await set.admin('PUT', '/admin/targets/%2Fid-in', {
    pskIdentity: target.pskIdentity,
    key: target.key.toString('hex'),
  });
  expect(t.status, JSON.stringify(t.body)).toBe(200);
}, 180_000);

afterAll(async () => {
  await lb?.stop();
  await set?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Enrolee {
  kpmId: string;
  kpm: Buffer;
  dir: string;
}

async function provision(i: number): Promise<Enrolee> {
  const e = { kpmId: `kpm-load-${i}`, kpm: randomBytes(32), dir: mkdtempSync(join(tmpdir(), 'm2msec-enrolee-')) };
  const r = await set.admin('PUT', `/admin/enrolees/psk/${e.kpmId}`, {
    kpm: e.kpm.toString('hex'),
    enroleeId: `Cload${i}`,
    targets: [{ targetId: '/id-in', suid: SUID }],
    enrolmentExpirySeconds: 3600,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  createKeyFile(join(e.dir, 'ks.key'));
  return e;
}

/** One enrolment through the balancer; the KeID and the key the enrolee derived for the target. */
async function enrolOnce(e: Enrolee): Promise<{ keId: string; key: string }> {
  const se = await openSoftwareSecureEnvironment({ path: join(e.dir, 'ks.json'), keyFile: join(e.dir, 'ks.key') });
  try {
    const r = await enrol({
      mefUrl: `https://127.0.0.1:${lb.port}`,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: e.kpmId, kpm: e.kpm },
      se,
      timeoutMs: 10_000,
    });
    const psk = await targetPsk(se, await currentEnrolment(se), '/id-in');
    return { keId: r.keId, key: Buffer.from(psk.key).toString('hex') };
  } finally {
    await se.close();
  }
}

describe('two MEF replicas behind HAProxy on one PostgreSQL', () => {
  it('a replica killed under enrolment load: enrolees carry on, no completed enrolment is lost', async () => {
    const enrolees = await Promise.all(Array.from({ length: workers }, (_, i) => provision(i)));
    // Both replicas know every enrolee before the load (the second learns the Kpm through the store's events).
    for (const e of enrolees) {
      const end = Date.now() + 30_000;
      for (;;) {
        try {
          await enrolOnce(e);
          break;
        } catch (err) {
          if (Date.now() > end) throw err;
          await sleep(200);
        }
      }
    }
    const acknowledged: Array<{ keId: string; key: string }> = [];
    const failed: Array<{ at: number; what: string }> = [];
    let done = false;
    const running = Promise.all(
      enrolees.map(async (e) => {
        while (!done) {
          try {
            acknowledged.push(await enrolOnce(e));
          } catch (err) {
            failed.push({ at: Date.now(), what: `${e.kpmId}: ${(err as Error).message}` });
          }
        }
      }),
    );
    await sleep(4000);
    const before = acknowledged.length;
    const killedAt = Date.now();
    await set.replicas[1]!.stop('SIGKILL');
    await sleep(4000);
    done = true;
    await running;
    const after = acknowledged.length - before;
    expect(before, 'enrolments completed before the kill').toBeGreaterThan(workers);
    expect(after, 'enrolments completed after the kill').toBeGreaterThan(workers);
    // Only what was in flight to the killed replica fails: one enrolment per enrolee, plus one each that had
    // just been sent there before HAProxy's check took the replica out.
    expect(failed.length, JSON.stringify(failed.slice(0, 5))).toBeLessThanOrEqual(2 * workers);
    for (const f of failed) expect(f.at - killedAt, f.what).toBeLessThan(3000);
    // The target fetches every completed enrolment's key through the balancer (now the surviving replica).
    const lost: string[] = [];
    for (const a of acknowledged) {
      try {
        const fetched = await fetchCredentials(
          {
            mefUrl: `https://127.0.0.1:${lb.port}`,
            mefFqdn: MEF_FQDN,
            credential: { kind: 'psk', kpmId: target.pskIdentity, kpm: target.key },
            targetId: '/id-in',
          },
          a.keId,
          SUID,
        );
        if (Buffer.from(fetched.key).toString('hex') !== a.key) lost.push(`${a.keId}: another key`);
      } catch (err) {
        lost.push(`${a.keId}: ${(err as Error).message}`);
      }
    }
    expect(lost).toEqual([]);
    console.log(
      `mef scale-out: ${acknowledged.length} completed enrolments (${after} after the kill), ${failed.length} failed (in flight at the kill), 0 lost`,
    );
  }, 240_000);
});
