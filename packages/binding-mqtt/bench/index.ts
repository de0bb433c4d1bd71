// MQTT request/response round trips per second through a private mosquitto (TLS listener of the
// infra/mosquitto config): the binding + MqttOriginator + a real Cse doing a RETRIEVE, against a raw
// MQTT.js publish/subscribe echo on the same broker in the same run. Bounded: a few seconds per case.
import { Cse } from '@m2msec/cse';
import { openSqliteStore } from '@m2msec/store';
import mqtt, { type MqttClient } from 'mqtt';
import {
  clientIdForAe,
  createMqttBinding,
  type MqttConnectOptions,
  MqttOriginator,
  mqttClientOptions,
} from '../src/index.js';
import { startBroker } from '../test/helpers/broker.js';
import { certConnect, cseId, spId } from '../test/helpers/world.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Keeps `window` exchanges in flight for `seconds`; returns completed round trips per second. */
async function run(exchange: (i: number) => Promise<void>, seconds: number, window: number): Promise<number> {
  let done = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  const lane = async () => {
    while (performance.now() < end) {
      await exchange(i++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return done / ((performance.now() - start) / 1000);
}

const broker = await startBroker({ cses: [{ username: 'id-in', cseId }] });
try {
  const store = await openSqliteStore({ file: ':memory:' });
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0, cseId, spId },
  });
  const binding = await createMqttBinding({
    handler: cse.handle,
    cseId,
    spId,
    connect: certConnect(broker, 'id-in', 'C::id-in'),
  });
  const ae = await MqttOriginator.open({
    originator: 'Cbench',
    receiver: cseId,
    connect: certConnect(broker, 'Cbench', clientIdForAe('Cbench')),
    timeoutMs: 30_000,
  });
  const reg = await ae.send({
    op: 1,
    to: 'cse-in',
    fr: 'Cbench',
    rqi: 'reg',
    rvi: '3',
    ty: 2,
    pc: { 'm2m:ae': { api: 'Nbench', rr: false, srv: ['3'] } },
  });
  if (reg.rsc !== 2001) throw new Error(`registration failed: ${reg.rsc} ${reg.dbg}`);

  // Baseline: plain MQTT.js clients (same TLS credentials, CONNECT options and socket options), an
  // echo responder under another identity, the same topic shapes, QoS 1.
  const rawClient = async (o: MqttConnectOptions): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(o.url, mqttClientOptions(o));
    (c.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    return c;
  };
  const echo = await rawClient(certConnect(broker, 'Cecho', 'A::Cecho'));
  echo.on('message', (topic, payload) => {
    const [, , , o, r, s] = topic.split('/');
    echo.publish(`/oneM2M/resp/${o}/${r}/${s}`, payload, { qos: 1 });
  });
  await echo.subscribeAsync('/oneM2M/req/+/Cecho/+', { qos: 1 });
  const requester = await rawClient(certConnect(broker, 'Craw', 'A::Craw'));
  const waiting = new Map<string, () => void>();
  requester.on('message', (_, payload) => {
    const rqi = JSON.parse(payload.toString()).rqi as string;
    waiting.get(rqi)?.();
    waiting.delete(rqi);
  });
  await requester.subscribeAsync('/oneM2M/resp/Craw/+/+', { qos: 1 });
  const rawExchange = (i: number) =>
    new Promise<void>((resolve) => {
      const rqi = `raw${i}`;
      waiting.set(rqi, resolve);
      requester.publish(
        '/oneM2M/req/Craw/Cecho/json',
        JSON.stringify({ op: 2, to: 'cse-in/Cbench', fr: 'Craw', rqi, rvi: '3' }),
        { qos: 1 },
      );
    });
  const cseExchange = async (i: number) => {
    const rsp = await ae.send({ op: 2, to: 'cse-in/Cbench', fr: 'Cbench', rqi: `b${i}`, rvi: '3' });
    if (rsp.rsc !== 2000) throw new Error(`RETRIEVE failed: ${rsp.rsc} ${rsp.dbg}`);
  };

  // Warm-up, then alternating rounds; the ratio is the median of per-round ratios.
  await run(rawExchange, 0.5, WINDOW);
  await run(cseExchange, 0.5, WINDOW);
  const ratios: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const raw = await run(rawExchange, SECONDS / 2, WINDOW);
    const bound = await run(cseExchange, SECONDS / 2, WINDOW);
    ratios.push(bound / raw);
    console.log(
      `round ${r}: raw MQTT.js echo ${raw.toFixed(0)} round trips/s | binding + Cse RETRIEVE ${bound.toFixed(0)} round trips/s | ratio ${(bound / raw).toFixed(2)}`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(
    `median ratio binding+Cse / raw echo: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} (window ${WINDOW}, TLS listener, QoS 1)`,
  );
  await ae.close();
  await binding.close();
  await echo.endAsync();
  await requester.endAsync();
  await cse.stop();
} finally {
  await broker.stop();
}
