// Issue 18 "Must show" in CI, topology (b) from the images (infra/docker/compose.scale.yaml): three IN-CSE
// replicas and two MEF replicas behind HAProxy (TCP mode, TLS-PSK passed through) over one PostgreSQL.
// Devices enrol through the MEF replicas; the AE load generator (m2msec-ae load, one container per enrolled
// AE) writes through the balancer while `docker kill` ends one IN-CSE replica and then one MEF replica (with
// enrolments running through the balancer). Every acknowledged CREATE is read back, every completed enrolment's
// key is fetched by the Enrolment Target, and only requests in flight to a killed replica fail.
// Runs when M2MSEC_DOCKER=1 (scripts/test.sh sets it once its dockerd and the images are ready).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentEnrolment, enrol, fetchCredentials, targetPsk } from '@m2msec/rspf';
import { OneM2MClient } from '@m2msec/saef';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposeProject, composeFile, dockerUnavailable, poll } from '../../src/docker/compose.js';
import { MEF_FQDN, RSPF_SAEF } from '../../src/docker/lab.js';
import {
  IN_REPLICAS,
  MEF_REPLICAS,
  type ScaleLab,
  TARGET_IDENTITY,
  writeLoader,
  writeScaleLab,
} from '../../src/docker/lab-scale.js';

const IMAGES = ['m2msec/in-cse', 'm2msec/ae', 'm2msec/mef', 'm2msec/postgres', 'm2msec/haproxy'].map(
  (i) => `${i}:latest`,
);
const wanted = process.env.M2MSEC_DOCKER === '1';
const unavailable = wanted ? dockerUnavailable(IMAGES) : 'M2MSEC_DOCKER is not 1 (scripts/test.sh sets it)';
if (!wanted) console.log(`[docker] topology (b) skipped: ${unavailable}`);

const LOADERS = ['ld1', 'ld2', 'ld3'] as const;
/** Upper bound of a loader's run; the test stops the loaders (SIGTERM) once both kills are behind them. */
const LOAD_MS = 600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let lab: ScaleLab;
let project: ComposeProject;
let lbAddress: string;

interface Enrolee {
  name: (typeof LOADERS)[number];
  aeId: string;
  kpmId: string;
  kpm: Buffer;
  dir: string;
}
/** What an enrolee holds after a completed enrolment: its KeID and Kpsa for the IN-CSE. */
const held = new Map<string, { keId: string; key: Buffer }>();

async function mefAdmin(method: string, path: string, body: unknown) {
  const r = await fetch(`http://${lbAddress}:8081${path}`, {
    method,
    headers: { authorization: `Bearer ${lab.mefAdminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function enrolOnce(e: Enrolee): Promise<{ keId: string; key: Buffer }> {
  const se = await openSoftwareSecureEnvironment({ path: join(e.dir, 'ks.json'), keyFile: join(e.dir, 'ks.key') });
  try {
    const r = await enrol({
      mefUrl: `https://${lbAddress}:8443`,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'psk', kpmId: e.kpmId, kpm: e.kpm },
      se,
      timeoutMs: 15_000,
    });
    const psk = await targetPsk(se, await currentEnrolment(se), '/id-in');
    return { keId: r.keId, key: Buffer.from(psk.key) };
  } finally {
    await se.close();
  }
}

function pskClient(address: string, port: number, cred: { keId: string; key: Buffer }) {
  return new OneM2MClient({
    baseUrl: `https://${address}:${port}`,
    framework: { kind: 'psk', identity: cred.keId, key: cred.key },
    timeoutMs: 20_000,
  });
}

/** `docker logs -t` of a service as [time, JSON event] pairs. */
function events(service: string): Array<{ at: number; e: Record<string, any> }> {
  const r = spawnSync('docker', ['logs', '-t', project.containerId(service)], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const out: Array<{ at: number; e: Record<string, any> }> = [];
  for (const line of `${r.stdout}`.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0 || line[sp + 1] !== '{') continue;
    try {
      out.push({ at: Date.parse(line.slice(0, sp)), e: JSON.parse(line.slice(sp + 1)) });
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}

const enrolees: Enrolee[] = LOADERS.map((name, i) => ({
  name,
  aeId: `Cld${i + 1}x0`,
  kpmId: `kpm-${name}`,
  kpm: randomBytes(32),
  dir: '',
}));

describe.skipIf(!wanted)('docker topology (b): IN-CSE and MEF replicas behind HAProxy over one PostgreSQL', () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`the docker scenarios were asked for but cannot run: ${unavailable}`);
    lab = writeScaleLab(mkdtempSync(join(tmpdir(), 'm2msec-docker-b-')));
    project = new ComposeProject(`m2msec-b-${randomBytes(3).toString('hex')}`, composeFile('compose.scale.yaml'), {
      M2MSEC_LAB: lab.dir,
      M2MSEC_LOAD_MS: String(LOAD_MS),
    });
    const up = project.run(['up', '-d'], 900_000);
    if (up.status !== 0) {
      const logs = ['pg', ...IN_REPLICAS, ...MEF_REPLICAS, 'lb'].map(
        (s) => `--- ${s}\n${project.run(['logs', s]).stdout.slice(-1500)}`,
      );
      throw new Error(`docker-compose up failed: ${up.stderr.slice(-2000)}\n${logs.join('\n')}`);
    }
    lbAddress = project.addresses('lb').core!;
    await poll(
      async () =>
        (await fetch(`http://${lbAddress}:8081/admin/enrolees`).catch(() => undefined))?.status === 401
          ? true
          : undefined,
      60_000,
      () => `the balancer does not reach a MEF: ${project.logs('lb').slice(-1500)}`,
    );
    const target = await mefAdmin('PUT', '/admin/targets/%2Fid-in', {
      pskIdentity: TARGET_IDENTITY,
      key: lab.inMefKeyHex,
    });
    expect(target.status, JSON.stringify(target.body)).toBe(200);
    // Each device is provisioned (Kpm), enrols through the balancer, and every IN-CSE replica, asked directly,
    // associates it (a replica learns a KeID on its first handshake and fetches Kpsa from the MEF).
    for (const e of enrolees) {
      e.dir = mkdtempSync(join(tmpdir(), 'm2msec-docker-b-enrolee-'));
      createKeyFile(join(e.dir, 'ks.key'));
      const put = await mefAdmin('PUT', `/admin/enrolees/psk/${e.kpmId}`, {
        kpm: e.kpm.toString('hex'),
        enroleeId: e.aeId,
        targets: [{ targetId: '/id-in', suid: RSPF_SAEF }],
        enrolmentExpirySeconds: 3600,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const cred = await poll(
        () => enrolOnce(e).catch(() => undefined),
        60_000,
        () => `${e.kpmId} never enrolled; mef1: ${project.logs('mef1').slice(-1500)}`,
      );
      held.set(e.name, cred);
      writeLoader(lab, e.name, cred.keId, cred.key.toString('hex'));
      for (const r of IN_REPLICAS) {
        const address = project.addresses(r).core!;
        await poll(
          async () => {
            const c = pskClient(address, 8445, cred);
            try {
              return (await c.request({ op: 2, to: 'cse-in', from: e.aeId })).rsc;
            } catch {
              return undefined;
            } finally {
              c.agent.destroy();
            }
          },
          60_000,
          () => `${r} never associated ${e.kpmId}: ${project.logs(r).slice(-1500)}`,
        );
      }
    }
  }, 1_200_000);

  afterAll(() => {
    project?.run(['--profile', 'load', 'down', '-v', '--remove-orphans', '-t', '3'], 180_000);
    if (lab) rmSync(lab.dir, { recursive: true, force: true });
    for (const e of enrolees) if (e.dir) rmSync(e.dir, { recursive: true, force: true });
  });

  it('every node runs from its image as uid 10001 on a read-only root; the database only on its own network', () => {
    for (const s of ['pg', ...IN_REPLICAS, ...MEF_REPLICAS, 'lb']) {
      const c = project.inspect(s);
      expect(c.State.Running, s).toBe(true);
      expect(c.Config.User, s).toBe('10001:10001');
      expect(c.HostConfig.ReadonlyRootfs, s).toBe(true);
      expect(c.Config.Image, s).toMatch(/^m2msec\//);
    }
    expect(Object.keys(project.addresses('pg'))).toEqual(['db']);
    expect(Object.keys(project.addresses('lb'))).toEqual(['core']);
  });

  it('under load from the AE load generator, one IN-CSE replica and then one MEF replica killed: nothing acknowledged is lost', async () => {
    project.must(['--profile', 'load', 'up', '-d', '--no-deps', ...LOADERS], 180_000);
    // The load runs; the first IN-CSE kill once every loader has written.
    // A generous bound: on a loaded 2-core machine a node container takes tens of seconds to start.
    await poll(
      () => (LOADERS.every((l) => events(l).some((x) => x.e.event === 'acked')) ? true : undefined),
      300_000,
      () => `a loader never wrote: ${LOADERS.map((l) => project.logs(l).slice(-800)).join('\n')}`,
    );
    await sleep(4000);
    const inKilledAt = Date.now();
    project.must(['kill', 'in2']);
    await sleep(8000);
    // Enrolments through the balancer while the load goes on; then a MEF replica is killed.
    // Devices of their own (the loaders' enrolments stay as they are).
    const enrolling2: Enrolee[] = [];
    for (let i = 1; i <= 3; i++) {
      const e: Enrolee = {
        name: 'ld1',
        aeId: `Cenr${i}`,
        kpmId: `kpm-enr${i}`,
        kpm: randomBytes(32),
        dir: mkdtempSync(join(tmpdir(), 'm2msec-docker-b-enrolee-')),
      };
      enrolees.push(e);
      createKeyFile(join(e.dir, 'ks.key'));
      const put = await mefAdmin('PUT', `/admin/enrolees/psk/${e.kpmId}`, {
        kpm: e.kpm.toString('hex'),
        enroleeId: e.aeId,
        targets: [{ targetId: '/id-in', suid: RSPF_SAEF }],
        enrolmentExpirySeconds: 3600,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      enrolling2.push(e);
    }
    const completed: Array<{ keId: string; key: Buffer }> = [];
    const failedEnrolments: Array<{ at: number; what: string }> = [];
    let enrolling = true;
    const enrolLoop = Promise.all(
      enrolling2.map(async (e) => {
        while (enrolling) {
          try {
            completed.push(await enrolOnce(e));
          } catch (err) {
            failedEnrolments.push({ at: Date.now(), what: `${e.kpmId}: ${(err as Error).message}` });
          }
        }
      }),
    );
    await sleep(5000);
    const enrolledBefore = completed.length;
    const mefKilledAt = Date.now();
    project.must(['kill', 'mef2']);
    await sleep(8000);
    enrolling = false;
    await enrolLoop;
    // The loaders stop (SIGTERM ends m2msec-ae load early) and print their result.
    project.must(['stop', '-t', '60', ...LOADERS], 180_000);
    const results = await poll(
      () => {
        const r = LOADERS.map((l) => events(l).find((x) => x.e.event === 'load-result')?.e);
        return r.every(Boolean) ? (r as Record<string, any>[]) : undefined;
      },
      60_000,
      () => `a loader did not finish: ${LOADERS.map((l) => project.logs(l).slice(-800)).join('\n')}`,
    );
    const acked = LOADERS.map((l) => events(l).filter((x) => x.e.event === 'acked'));
    const total = acked.reduce((n, a) => n + a.length, 0);
    // The load went on through the kills: each loader wrote after the IN-CSE kill and after the MEF kill.
    for (const [i, a] of acked.entries()) {
      expect(a.filter((x) => x.at > inKilledAt + 2000).length, LOADERS[i]).toBeGreaterThanOrEqual(3);
      expect(a.filter((x) => x.at > mefKilledAt + 2000).length, LOADERS[i]).toBeGreaterThanOrEqual(3);
    }
    // Only requests in flight to the killed IN-CSE replica failed: one per loader (its single AE has one
    // request outstanding), plus one whose connection had just been opened to it before HAProxy took it out.
    for (const r of results) {
      expect(r, JSON.stringify(r)).toMatchObject({ started: 1, failedToStart: 0 });
      expect(r.errors, JSON.stringify(r.failures)).toBeLessThanOrEqual(2);
    }
    // Every acknowledged CREATE is read back through the balancer (the surviving replicas), by its AE.
    const missing: string[] = [];
    await Promise.all(
      enrolees.slice(0, LOADERS.length).map(async (e, i) => {
        const c = pskClient(lbAddress, 8445, held.get(e.name)!);
        try {
          for (const { e: ack } of acked[i]!) {
            const r = await c.request({ op: 2, to: ack.path, from: e.aeId });
            if (r.rsc !== 2000) missing.push(`${ack.path}: ${r.rsc}`);
          }
        } finally {
          c.agent.destroy();
        }
      }),
    );
    expect(missing).toEqual([]);
    // The MEF: enrolments went on after the kill, only those in flight failed, and the Enrolment Target
    // fetches through the balancer the key of every enrolment an enrolee saw completed.
    expect(enrolledBefore, 'enrolments before the MEF kill').toBeGreaterThan(0);
    expect(completed.length - enrolledBefore, 'enrolments after the MEF kill').toBeGreaterThan(0);
    expect(failedEnrolments.length, JSON.stringify(failedEnrolments.slice(0, 5))).toBeLessThanOrEqual(
      2 * enrolling2.length,
    );
    // (An enrolment in flight at the kill fails when its connection closes or its 15 s timeout ends.)
    for (const f of failedEnrolments) expect(f.at - mefKilledAt, f.what).toBeLessThan(20_000);
    const lost: string[] = [];
    for (const a of completed) {
      try {
        const fetched = await fetchCredentials(
          {
            mefUrl: `https://${lbAddress}:8443`,
            mefFqdn: MEF_FQDN,
            credential: { kind: 'psk', kpmId: TARGET_IDENTITY, kpm: Buffer.from(lab.inMefKeyHex, 'hex') },
            targetId: '/id-in',
          },
          a.keId,
          RSPF_SAEF,
        );
        if (!Buffer.from(fetched.key).equals(a.key)) lost.push(`${a.keId}: another key`);
      } catch (err) {
        lost.push(`${a.keId}: ${(err as Error).message}`);
      }
    }
    expect(lost).toEqual([]);
    console.log(
      `docker scale-out: ${total} acknowledged CREATEs from ${LOADERS.length} load generators, ` +
        `${results.reduce((n, r) => n + r.errors, 0)} failed (in flight at the IN-CSE kill), 0 lost, ` +
        `${acked.reduce((n, a) => n + a.filter((x) => x.at > mefKilledAt).length, 0)} after the MEF kill; ` +
        `${completed.length} enrolments (${completed.length - enrolledBefore} after the MEF kill), ` +
        `${failedEnrolments.length} failed (in flight), 0 lost`,
    );
  }, 600_000);
});
