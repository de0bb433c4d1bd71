// Issue 8 scenarios, each node its own process: IN-CSE (PostgreSQL), MN-CSE, mosquitto, four AEs.
// (a) AE -> MN-CSE (MQTT, PSK) -> IN-CSE (HTTPS, certificate); the IN-CSE's ACP decides readers.
// (b) a device forging another device's originator over MQTT: refused by the broker's topic ACL and
//     with 4106 by the CSE.
// (c) the IN-CSE's link is cut: the MN-CSE keeps serving its devices, forwarded requests end in 4008
//     with a clear message, everything recovers when the link returns.
// (d) the IN-CSE is killed with SIGKILL and restarted: nothing acknowledged is lost, associations
//     re-establish.
import { clientIdForAe, MqttConnection } from '@m2msec/binding-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../src/nodes/process.js';
import { buildWorld, FORWARD_TIMEOUT_MS, type World } from '../src/world.js';

let w: World;

beforeAll(async () => {
  w = await buildWorld();
  // Stated in the output: where the nodes run and which security each hop uses.
  console.log(`[e2e] topology: ${w.topo.describe()}`);
  console.log(
    '[e2e] security: devices -> broker TLS-PSK (Provisioned Symmetric Key SAEF); MN-CSE -> broker and MN-CSE -> IN-CSE: certificate-based SAEF (mutual TLS); viewer AEs -> IN-CSE: certificate-based SAEF; IN-CSE store: PostgreSQL',
  );
  // The IN-CSE operator opens a container to the MN-CSE's device (write) and to Cae2 (read).
  const acp = await w.admin('POST', '/cse-in', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acpData',
        pv: {
          acr: [
            { acor: ['/id-mn/Cae1'], acop: 3 },
            { acor: ['/id-in/Cae2'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc, JSON.stringify(acp.body)).toBe(2001);
  const cnt = await w.admin('POST', '/cse-in', {
    ty: 3,
    body: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpData'] } },
  });
  expect(cnt.rsc, JSON.stringify(cnt.body)).toBe(2001);
}, 300_000);

afterAll(async () => {
  await w?.close();
});

function failWithLogs(e: unknown): never {
  const logs = ['in', 'mn']
    .map((n) => `--- ${n}:\n${(n === 'in' ? w.inCse.proc : w.mn.proc).output().slice(-3000)}`)
    .join('\n');
  throw new Error(`${(e as Error).message}\n${logs}`);
}

describe('(a) AE -> MN-CSE (MQTT, PSK) -> IN-CSE (HTTPS, certificate)', () => {
  it('the device registered over reg_req and the MN-CSE over its certificate association', async () => {
    expect(w.ae1.aeId).toBe('/id-mn/Cae1');
    expect((await w.mn.status()).registration.state).toBe('registered');
    const csr = await w.admin('GET', '/cse-in/id-mn');
    expect(csr.rsc).toBe(2000);
    expect(csr.body['m2m:csr']).toMatchObject({ csi: '/id-mn', cst: 2 });
  });

  it('data the device creates at the IN-CSE is read by the AE the ACP allows, refused (4103) for another', async () => {
    const created = await w.ae1.post({ temperature: 21.5 }, '/id-in/cse-in/data');
    if (created.rsc !== 2001) failWithLogs(new Error(`post through the MN-CSE: ${created.rsc} ${created.dbg}`));
    const read = await w.ae2.request({ op: 2, to: 'cse-in/data/la' });
    expect(read.rsc, read.dbg).toBe(2000);
    expect(JSON.parse(read.pc['m2m:cin'].con)).toEqual({ temperature: 21.5 });
    // The IN-CSE saw the device's SP-relative AE-ID, made so by the MN-CSE (TS-0004 7.3.2.6).
    const stored = await w.admin('GET', `/cse-in/data/${read.pc['m2m:cin'].rn}`);
    expect(stored.rsc).toBe(2000);
    const refused = await w.ae3.request({ op: 2, to: 'cse-in/data/la' });
    expect(refused.rsc).toBe(4103);
  });

  it('the device subscribed to its own container gets the notification over MQTT', async () => {
    const before = w.ae1.notifications().length;
    expect((await w.ae1.post('ping')).rsc).toBe(2001);
    await until('notification at the device', async () => w.ae1.notifications().length > before, 30_000);
    expect(w.ae1.notifications().at(-1).sgn.nev.rep['m2m:cin'].con).toBe('ping');
  });
});

describe('(b) a device forging another device originator over MQTT', () => {
  it('the broker topic ACL refuses publishing as Cae1 under the Cae9 credential (MQTT 5 PUBACK 0x87)', async () => {
    const key = Buffer.from(w.psk.get('12-ae9@m2msec.org')!, 'hex');
    const conn = await MqttConnection.connect({
      url: `mqtts://${w.broker.address}:${w.broker.pskPort}`,
      clientId: `forger::${clientIdForAe('Cae9')}`,
      tls: { psk: { identity: '12-ae9@m2msec.org', key } },
      protocolVersion: 5,
      reconnectPeriodMs: 0,
    });
    try {
      const forged = JSON.stringify({ op: 2, to: 'cse-mn/Cae1', fr: 'Cae1', rqi: 'forged-1', rvi: '3' });
      await expect(conn.publish('/oneM2M/req/Cae1/id-mn/json', forged)).rejects.toMatchObject({ code: 0x87 });
    } finally {
      await conn.close();
    }
  });

  it('on its own topic with From Cae1 the MN-CSE answers 4106 and nothing is created', async () => {
    const get = await w.ae9.request({ op: 2, to: 'cse-mn/Cae1', fr: 'Cae1' });
    expect(get.rsc).toBe(4106);
    const before = await w.ae1.request({ op: 2, to: 'cse-mn/Cae1/local' });
    const post = await w.ae9.request({
      op: 1,
      to: 'cse-mn/Cae1/local',
      fr: 'Cae1',
      ty: 4,
      pc: { 'm2m:cin': { con: 'forged' } },
    });
    expect(post.rsc).toBe(4106);
    const forwarded = await w.ae9.request({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: 'Cae1',
      ty: 4,
      pc: { 'm2m:cin': { con: 'forged' } },
    });
    expect(forwarded.rsc).toBe(4106);
    const after = await w.ae1.request({ op: 2, to: 'cse-mn/Cae1/local' });
    expect(after.pc['m2m:cnt'].cni).toBe(before.pc['m2m:cnt'].cni);
    const la = await w.ae2.request({ op: 2, to: 'cse-in/data/la' });
    expect(la.pc['m2m:cin'].con).not.toBe('forged');
  });
});

describe('(e) the IN-CSE forwards down to the MN-CSE over the certificate SAEF', () => {
  it("an AE at the IN-CSE reads the device's data hosted on the MN-CSE if the MN-CSE's ACP allows it", async () => {
    // The device publishes on its own MN-CSE behind an ACP that lets the IN-CSE's viewer Cae2 read.
    const acp = await w.ae1.request({
      op: 1,
      to: 'Cae1',
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'acpDown',
          pv: {
            acr: [
              { acor: ['Cae1'], acop: 63 },
              { acor: ['/id-in/Cae2'], acop: 2 },
            ],
          },
          pvs: { acr: [{ acor: ['Cae1'], acop: 63 }] },
        },
      },
    });
    expect(acp.rsc, acp.dbg).toBe(2001);
    const cnt = await w.ae1.request({
      op: 1,
      to: 'Cae1',
      ty: 3,
      pc: { 'm2m:cnt': { rn: 'shared', acpi: [acp.pc['m2m:acp'].ri] } },
    });
    expect(cnt.rsc, cnt.dbg).toBe(2001);
    const cin = await w.ae1.request({
      op: 1,
      to: 'Cae1/shared',
      ty: 4,
      pc: { 'm2m:cin': { con: 'kept at the gateway' } },
    });
    expect(cin.rsc, cin.dbg).toBe(2001);
    // Cae2 asks the IN-CSE for an MN-CSE resource: the IN-CSE forwards it over mutual TLS with its
    // own client certificate (forwarding.remoteCses), the MN-CSE decides with its own ACP.
    const read = await w.ae2.request({ op: 2, to: '/id-mn/Cae1/shared/la' });
    if (read.rsc !== 2000) failWithLogs(new Error(`forwarded read: ${read.rsc} ${read.dbg}`));
    expect(read.pc['m2m:cin'].con).toBe('kept at the gateway');
    const refused = await w.ae3.request({ op: 2, to: '/id-mn/Cae1/shared/la' });
    expect(refused.rsc, refused.dbg).toBe(4103);
  });
});

describe('(c) the link to the IN-CSE is cut for a while', () => {
  it('devices keep working at the MN-CSE; forwarded requests time out with 4008; all recovers', async () => {
    w.topo.cut('in');
    try {
      const local = await w.ae1.post({ during: 'cut' });
      expect(local.rsc, local.dbg).toBe(2001);
      const read = await w.ae1.request({ op: 2, to: 'cse-mn/Cae1/local/la' });
      expect(read.rsc).toBe(2000);
      const up = await w.ae1.post({ lost: true }, '/id-in/cse-in/data');
      expect(up.rsc, up.dbg).toBe(4008);
      expect(up.dbg).toMatch(
        new RegExp(
          `forwarding to CSE '/id-in' timed out: no response from https://[^ ]+ within ${FORWARD_TIMEOUT_MS} ms`,
        ),
      );
    } finally {
      w.topo.restore('in');
    }
    let restored: { rsc: number; pc?: any } = { rsc: 0 };
    await until(
      'forwarding works again',
      async () => {
        restored = await w.ae1.post({ after: 'restore' }, '/id-in/cse-in/data');
        return restored.rsc === 2001;
      },
      60_000,
      1000,
    ).catch(failWithLogs);
    const read = await w.ae2.request({ op: 2, to: `cse-in/data/${restored.pc['m2m:cin'].rn}` });
    expect(read.rsc).toBe(2000);
    expect(JSON.parse(read.pc['m2m:cin'].con)).toEqual({ after: 'restore' });
    // 4008 says no answer came in time, not that nothing happened: the request the MN-CSE gave up on
    // may still reach the IN-CSE when the link returns (the sender's kernel keeps retransmitting the
    // bytes of a closed socket). That is why a timed-out request is never re-sent (docs/mn-cse.md).
    expect((await w.mn.status()).registration.state).toBe('registered');
  });
});

describe('(d) the IN-CSE is killed with SIGKILL and restarted', () => {
  it('keeps every acknowledged resource; the MN-CSE and the AEs reconnect', async () => {
    const acknowledged: string[] = [];
    let killed = false;
    const posting: Promise<void> = (async () => {
      for (let i = 0; i < 40; i++) {
        const r = await w.ae1.post({ seq: i }, '/id-in/cse-in/data');
        if (r.rsc === 2001) acknowledged.push(r.pc['m2m:cin'].rn);
        else if (!killed) throw new Error(`post ${i} before the kill: ${r.rsc} ${r.dbg}`);
        if (killed && r.rsc !== 2001) break;
      }
    })();
    posting.catch(() => undefined); // awaited below; the kill may come while it is pending
    await until('some posts acknowledged', async () => acknowledged.length >= 5, 60_000, 20);
    killed = true; // from here a failed post is expected
    await w.inCse.proc.stop('SIGKILL');
    await posting;
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    const down = await w.ae1.post({ down: true }, '/id-in/cse-in/data');
    expect([5103, 4008]).toContain(down.rsc);

    await w.inCse.restart();
    for (const rn of acknowledged) {
      const r = await w.admin('GET', `/cse-in/data/${rn}`);
      expect(r.rsc, `acknowledged <contentInstance> ${rn} after the restart`).toBe(2000);
    }
    await until(
      'MN-CSE association re-established',
      async () => (await w.ae1.post({ after: 'restart' }, '/id-in/cse-in/data')).rsc === 2001,
      60_000,
      1000,
    ).catch(failWithLogs);
    await until(
      'viewer association re-established',
      async () => (await w.ae2.request({ op: 2, to: 'cse-in/data/la' })).rsc === 2000,
      30_000,
      1000,
    );
    expect((await w.mn.status()).registration.state).toBe('registered');
  });
});
