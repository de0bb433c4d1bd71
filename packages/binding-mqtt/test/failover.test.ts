// Broker failover (docs/mqtt-cluster.md): a client given several broker nodes moves to the next when
// its node dies, subscribes again where the session did not follow, and the originator re-sends what is
// unanswered; the CSE side answers a repeated rqi with its earlier response instead of executing it twice.
// Two private mosquittos that trust the same clients stand for two nodes that share no session state,
// the hardest case for the client (a NATS cluster replicates sessions: test-e2e/test/docker/broker.test.ts).
import type { PeerCertificate } from 'node:tls';
import type { RequestPrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerUrls, MqttConnection, MqttOriginator, mqttClientOptions } from '../src/index.js';
import { startBroker, type TestBroker } from './helpers/broker.js';
import { certConnect, cseId, openWorld, until, type World } from './helpers/world.js';

let w: World;
let b: TestBroker;
let certs: Record<string, ReturnType<typeof certConnect>>;
let n = 0;
const rqi = () => `fo${++n}`;

const createCnt = (ae: string, rn: string, id = rqi()): RequestPrimitive => ({
  op: 1,
  to: `cse-in/${ae}`,
  fr: ae,
  rqi: id,
  rvi: '3',
  ty: 3,
  pc: { 'm2m:cnt': { rn } },
});

const register = (ae: string): RequestPrimitive => ({
  op: 1,
  to: 'cse-in',
  fr: ae,
  rqi: rqi(),
  rvi: '3',
  ty: 2,
  pc: { 'm2m:ae': { api: 'Nfailover', rr: false, srv: ['3'] } },
});

beforeAll(async () => {
  w = await openWorld();
  b = await startBroker({ cses: [{ username: 'id-in', cseId }], pki: w.broker.pki });
  // Made while node A's directory (where the shared CA lives) still exists.
  certs = Object.fromEntries(['Crep', 'Cother', 'Cskip'].map((cn) => [cn, certConnect(b, cn, `A::${cn}`)]));
});
afterAll(async () => {
  await w?.close();
  await b?.stop();
});

describe('broker URLs', () => {
  it('lists url first, then the failover nodes, and refuses a mixed scheme', () => {
    expect(brokerUrls({ url: 'mqtts://a:8883', failover: ['mqtts://b:8883'] })).toEqual([
      'mqtts://a:8883',
      'mqtts://b:8883',
    ]);
    // A fallback in the clear behind a TLS url would give the session to whoever listens there.
    expect(() => brokerUrls({ url: 'mqtts://a:8883', failover: ['mqtt://b:1883'] })).toThrow(/scheme/);
    expect(() => brokerUrls({ url: 'mqtts://a:8883', failover: ['http://b'] })).toThrow(/mqtt/);
  });

  it("checks each node's certificate against the listed nodes, not the first node's name only", () => {
    const o = mqttClientOptions({
      url: 'mqtts://n1.m2msec.org:8883',
      failover: ['mqtts://n2.m2msec.org:8883'],
      clientId: 'A::Cx',
      tls: { ca: 'unused' },
    });
    // MQTT.js hands the TLS options it does not know on to tls.connect.
    const check = (o as { checkServerIdentity?: (h: string, c: PeerCertificate) => Error | undefined })
      .checkServerIdentity!;
    const cert = (san: string) => ({ subject: { CN: 'x' }, subjectaltname: san }) as unknown as PeerCertificate;
    // MQTT.js asks with the first node's name even when connected to the second.
    expect(check('n1.m2msec.org', cert('DNS:n2.m2msec.org'))).toBeUndefined();
    expect(check('n1.m2msec.org', cert('DNS:n1.m2msec.org'))).toBeUndefined();
    expect(check('n1.m2msec.org', cert('DNS:elsewhere.example'))).toBeInstanceOf(Error);
  });

  it('connects to the next node when the first does not answer', async () => {
    const c = await MqttConnection.connect({
      ...certs.Cskip!,
      url: 'mqtts://localhost:1',
      failover: [b.tlsUrl],
      reconnectPeriodMs: 50,
    });
    expect(c.connected).toBe(true);
    await c.close();
  });
});

describe('a CSE and an AE fail over from a dead broker to the next node', () => {
  it('re-sends an unanswered request after the failover and gets its response', async () => {
    // The CSE's binding sits on node B only; the AE starts on node A, where its request is PUBACKed but
    // nobody serves it: only the re-send after the failover to B can get it answered.
    await w.binding.close();
    const cseCert = w.broker.pki.client('id-in');
    await w.startBinding({
      connect: { url: b.tlsUrl, tls: { ca: w.broker.pki.ca, cert: cseCert.cert, key: cseCert.key } },
    });
    const ae = await MqttOriginator.open({
      originator: 'Cfo1',
      receiver: cseId,
      connect: certConnect(w.broker, 'Cfo1', 'A::Cfo1', { failover: [b.tlsUrl], reconnectPeriodMs: 100 }),
      timeoutMs: 20_000,
    });
    const answered = ae.send(register('Cfo1'));
    await until(() => ae.pending === 1, 5_000, 'the request to be pending');
    await new Promise((r) => setTimeout(r, 300)); // PUBACKed by node A, which has no CSE
    expect(ae.pending).toBe(1);
    await w.broker.stop(); // node A dies
    const rsp = await answered;
    expect(rsp.rsc).toBe(2001);
    // And the session works on node B afterwards (the response subscription was made again there).
    const cin = await ae.send(createCnt('Cfo1', 'after'));
    expect(cin.rsc).toBe(2001);
    await ae.close();
  }, 40_000);
});

describe('a repeated request is answered, not executed again', () => {
  let ae: MqttOriginator;
  let raw: MqttConnection;
  const responses: Array<{ rqi: string; rsc: number; ri?: string }> = [];

  beforeAll(async () => {
    ae = await MqttOriginator.open({
      originator: 'Crep',
      receiver: cseId,
      connect: certs.Crep!,
    });
    expect((await ae.send(register('Crep'))).rsc).toBe(2001);
    await ae.close();
    // The same AE publishing by hand, as a client re-sending a PUBLISH would.
    raw = await MqttConnection.connect(certs.Crep!);
    await raw.subscribe('/oneM2M/resp/Crep/id-in/json', (_t, p) => {
      const r = JSON.parse(p.toString());
      responses.push({ rqi: r.rqi, rsc: r.rsc, ri: r.pc?.['m2m:cnt']?.ri });
    });
  });
  afterAll(async () => {
    await raw?.close();
  });

  it('gives a twice-published CREATE one resource and the same response twice', async () => {
    const req = createCnt('Crep', 'once', 'same-rqi');
    const payload = JSON.stringify(req);
    await raw.publish('/oneM2M/req/Crep/id-in/json', payload);
    await raw.publish('/oneM2M/req/Crep/id-in/json', payload);
    await until(() => responses.filter((r) => r.rqi === 'same-rqi').length === 2, 10_000, 'two responses');
    const both = responses.filter((r) => r.rqi === 'same-rqi');
    // Executed twice, the second CREATE of rn 'once' would be refused with 4105 CONFLICT.
    expect(both.map((r) => r.rsc)).toEqual([2001, 2001]);
    expect(both[0]!.ri).toBeDefined();
    expect(both[1]!.ri).toBe(both[0]!.ri);
    expect(w.logs.some((l) => l.message.includes('repeated request') && l.rqi === 'same-rqi')).toBe(true);
  });

  it('executes a different request that reuses an rqi as itself', async () => {
    await raw.publish('/oneM2M/req/Crep/id-in/json', JSON.stringify(createCnt('Crep', 'first', 'reused')));
    await until(() => responses.some((r) => r.rqi === 'reused'), 10_000, 'the first response');
    await raw.publish('/oneM2M/req/Crep/id-in/json', JSON.stringify(createCnt('Crep', 'second', 'reused')));
    await until(() => responses.filter((r) => r.rqi === 'reused').length === 2, 10_000, 'the second response');
    const [a, c] = responses.filter((r) => r.rqi === 'reused');
    expect([a!.rsc, c!.rsc]).toEqual([2001, 2001]);
    expect(c!.ri).not.toBe(a!.ri);
  });

  it("never hands one originator's stored response to another", async () => {
    const other = await MqttOriginator.open({
      originator: 'Cother',
      receiver: cseId,
      connect: certs.Cother!,
    });
    expect((await other.send(register('Cother'))).rsc).toBe(2001);
    // The same rqi and body as Crep's, but the broker bound this session to Cother: it is executed for
    // Cother (who may not write under Crep: 4103), never answered with Crep's 2001.
    const rsp = await other.send(createCnt('Crep', 'once', 'same-rqi'));
    expect(rsp.rsc).not.toBe(2001);
    await other.close();
  });
});
