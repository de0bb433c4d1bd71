// Issue 18: secured-request throughput of 1, 2 and 3 IN-CSE replicas behind HAProxy (TCP mode, TLS
// passthrough) over one PostgreSQL, in alternating rounds of one run. A request is a RETRIEVE of a
// container by an AE over a kept-alive TLS-PSK session (authentication, access decision, store read).
// The load generator shares the machine: on 2 cores, replicas add throughput only while a core is idle.
import { randomBytes } from 'node:crypto';
import { type Balancer, startHaproxy } from '../src/scale/haproxy.js';
import { startReplicas } from '../src/scale/replicas.js';
import { aeClient } from '../src/scale/writers.js';

const CLIENTS = 24;
const ROUND_MS = 1500;
const ROUNDS = 4;

async function main(): Promise<void> {
  const ae = { aeId: 'Cbench', identity: 'bench-ae@in.m2msec.org', key: randomBytes(32) };
  const set = await startReplicas(3, ae);
  const ports = set.replicas.map((r) => r.pskPort);
  const balancers: Balancer[] = [];
  try {
    for (const n of [1, 2, 3]) balancers.push(await startHaproxy(ports.slice(0, n)));
    const setup = aeClient(balancers[0]!.port, ae);
    await setup.request({
      op: 1,
      to: 'cse-in',
      from: ae.aeId,
      ty: 2,
      pc: { 'm2m:ae': { rn: 'bench', api: 'Nscale', rr: false, srv: ['3'] } },
    });
    await setup.request({ op: 1, to: 'cse-in/bench', from: ae.aeId, ty: 3, pc: { 'm2m:cnt': { rn: 'data' } } });
    setup.close();
    const clients = balancers.map((b) => Array.from({ length: CLIENTS }, () => aeClient(b.port, ae)));
    const round = async (i: number) => {
      let n = 0;
      const end = performance.now() + ROUND_MS;
      const t0 = performance.now();
      await Promise.all(
        clients[i]!.map(async (c) => {
          while (performance.now() < end) {
            const r = await c.request({ op: 2, to: 'cse-in/bench/data', from: ae.aeId });
            if (r.rsc !== 2000) throw new Error(`RETRIEVE answered ${r.rsc}`);
            n++;
          }
        }),
      );
      return { n, ms: performance.now() - t0 };
    };
    for (let i = 0; i < 3; i++) await round(i); // warm-up: sessions and plans on every replica
    const total = [0, 1, 2].map(() => ({ n: 0, ms: 0 }));
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < 3; i++) {
        const x = await round(i);
        total[i]!.n += x.n;
        total[i]!.ms += x.ms;
      }
    }
    const rate = total.map((t) => (t.n * 1000) / t.ms);
    console.log('secured RETRIEVE through HAProxy (TLS-PSK, kept alive), 24 clients');
    for (let i = 0; i < 3; i++) {
      console.log(
        `  ${i + 1} replica${i ? 's' : ' '}  ${Math.round(rate[i]!).toString().padStart(6)}/s  ratio to 1 replica ${(rate[i]! / rate[0]!).toFixed(2)}`,
      );
    }
    for (const cs of clients) for (const c of cs) c.close();
  } finally {
    for (const b of balancers) await b.stop();
    await set.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
