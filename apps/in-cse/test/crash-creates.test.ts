// Crash consistency of the data path (the durability promise: nothing acknowledged is lost): 1,000 concurrent
// CREATE <contentInstance> requests, the IN-CSE SIGKILLed part-way through, restarted on the same data. Every
// acknowledged (2001) instance must be readable, and the container's counters (cni, cbs) must equal what its
// children really are: no half-applied CREATE. M2MSEC_CRASH_TRIALS sets the trials per store (CI: 2).
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, pgUrl, startInCse } from './harness.js';

const TRIALS = Number(process.env.M2MSEC_CRASH_TRIALS ?? 2);
const CONCURRENT = 1000;

interface Ack {
  rn: string;
  cs: number;
}

/** Fires CONCURRENT creates at once; SIGKILLs the CSE after `killAfter` acknowledgements. */
async function createsUntilKilled(cse: InCseProcess, container: string, killAfter: number): Promise<Ack[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const acks: Ack[] = [];
  let killed: Promise<number | null> | undefined;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ 'm2m:cin': { con: `v${i}-${'x'.repeat(i % 50)}`, cnf: 'text/plain:0' } });
      const req = request(
        `${cse.url}${container}`,
        {
          method: 'POST',
          agent,
          headers: {
            'X-M2M-Origin': 'Ccrash',
            'X-M2M-RI': `c${i}`,
            'X-M2M-RVI': '3',
            'Content-Type': 'application/json;ty=4',
            Accept: 'application/json',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            if (res.headers['x-m2m-rsc'] === '2001') {
              const cin = JSON.parse(text)['m2m:cin'];
              acks.push({ rn: cin.rn, cs: cin.cs });
              if (acks.length >= killAfter && !killed) killed = cse.stop('SIGKILL');
            }
            resolve();
          });
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => resolve()); // in flight when the process died
      req.end(body);
    });
  await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => one(i)));
  await (killed ?? cse.stop('SIGKILL'));
  agent.destroy();
  return acks;
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`SIGKILL during ${CONCURRENT} concurrent CREATEs (${store})`, () => {
    const pgSchema = `in_cse_crash_${randomBytes(4).toString('hex')}`;
    let dataDir: string | undefined;
    let cse: InCseProcess | undefined;
    const totals = { trials: 0, acknowledged: 0, lost: 0, halfApplied: 0 };

    afterAll(async () => {
      await cse?.stop();
      console.log(`crash trials (${store}): ${JSON.stringify(totals)}`);
      if (store === 'postgres') {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await c.end();
      }
    });

    it(
      `loses no acknowledged write and leaves consistent counters over ${TRIALS} trials`,
      async () => {
        for (let trial = 0; trial < TRIALS; trial++) {
          cse = await startInCse({ store, pgSchema, ...(dataDir ? { dataDir } : {}) });
          dataDir = cse.dataDir;
          if (trial === 0) {
            const ae = await m2m(cse.url, 'POST', '/cse-in', {
              from: 'Ccrash',
              ty: 2,
              body: { 'm2m:ae': { rn: 'crash', api: 'Ncrash', rr: false, srv: ['3'] } },
            });
            expect(ae.rsc, JSON.stringify(ae.body)).toBe(2001);
          }
          const cnt = await m2m(cse.url, 'POST', '/cse-in/crash', {
            from: 'Ccrash',
            ty: 3,
            body: { 'm2m:cnt': { rn: `t${trial}`, mni: 100_000, mbs: 100_000_000 } },
          });
          expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2001);
          const path = `/cse-in/crash/t${trial}`;
          const acks = await createsUntilKilled(cse, path, 50 + Math.floor(Math.random() * 450));

          cse = await startInCse({ store, pgSchema, dataDir }); // restarts clean on the same data
          let lost = 0;
          for (const a of acks) {
            const r = await m2m(cse.url, 'GET', `${path}/${a.rn}`, { from: 'Ccrash' });
            if (r.rsc !== 2000) lost++;
          }
          const container = (await m2m(cse.url, 'GET', path, { from: 'Ccrash' })).body['m2m:cnt'];
          const found = await m2m(cse.url, 'GET', `${path}?rcn=4&ty=4&lim=${CONCURRENT + 10}`, { from: 'Ccrash' });
          const children: Array<{ cs: number }> = found.body['m2m:cnt']?.['m2m:cin'] ?? [];
          const bytes = children.reduce((s, c) => s + c.cs, 0);
          const consistent = container.cni === children.length && container.cbs === bytes;
          totals.trials++;
          totals.acknowledged += acks.length;
          totals.lost += lost;
          if (!consistent) totals.halfApplied++;
          expect(lost, `trial ${trial}: ${lost} of ${acks.length} acknowledged instances missing`).toBe(0);
          expect(children.length).toBeGreaterThanOrEqual(acks.length);
          expect({ cni: container.cni, cbs: container.cbs }).toEqual({ cni: children.length, cbs: bytes });
          await cse.stop();
          cse = undefined;
        }
      },
      TRIALS * 90_000,
    );
  });
}
