// A real Cse (in-memory SQLite store) behind the MQTT binding, on a private mosquitto configured by
// infra/mosquitto. The CSE's MQTT client authenticates with a certificate whose CN is its CSE-ID.
import { Cse, type CseOptions } from '@m2msec/cse';
import type { RequestSender } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import {
  type BindingLogger,
  createMqttBinding,
  type MqttBinding,
  type MqttBindingOptions,
  type MqttConnectOptions,
} from '../../src/index.js';
import { type StartBrokerOptions, startBroker, type TestBroker } from './broker.js';

export const cseId = '/id-in';
export const spId = 'm2msec.org';

export function certConnect(broker: TestBroker, cn: string, clientId: string, extra: Partial<MqttConnectOptions> = {}) {
  const pem = broker.pki.client(cn);
  return {
    url: broker.tlsUrl,
    clientId,
    tls: { ca: broker.pki.ca, cert: pem.cert, key: pem.key },
    reconnectPeriodMs: 0,
    ...extra,
  } satisfies MqttConnectOptions;
}

export function pskConnect(
  broker: TestBroker,
  identity: string,
  clientId: string,
  extra: Partial<MqttConnectOptions> = {},
) {
  const key = broker.psk.get(identity);
  if (key === undefined) throw new Error(`no PSK provisioned for ${identity}`);
  return {
    url: broker.pskUrl,
    clientId,
    tls: { psk: { identity, key: Buffer.from(key, 'hex') } },
    reconnectPeriodMs: 0,
    ...extra,
  } satisfies MqttConnectOptions;
}

export interface LogLine {
  level: string;
  message: string;
  topic?: string;
  rqi?: string;
}

export interface World {
  broker: TestBroker;
  cse: Cse;
  binding: MqttBinding;
  logs: LogLine[];
  logger: BindingLogger;
  startBinding(extra?: Partial<MqttBindingOptions>): Promise<MqttBinding>;
  close(): Promise<void>;
}

export const appRules: NonNullable<CseOptions['appRules']> = [
  // First registrations over TLS-PSK: the credential decides (TS-0010 7.2, TS-0001 9.6.29).
  { name: 'psk-devices', applicableCredIDs: ['12-dev1@m2msec.org'], allowedAppIDs: ['*'], allowedAEs: ['C*'] },
  // Certificate clients publish under their AE-ID from the start: no credential in the association.
  { name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] },
];

export async function openWorld(
  o: { broker?: StartBrokerOptions; cse?: Partial<CseOptions>; senders?: RequestSender[] } = {},
): Promise<World> {
  const broker = await startBroker({
    cses: [{ username: 'id-in', cseId }],
    pskIdentities: ['12-dev1@m2msec.org', '12-dev2@m2msec.org'],
    ...o.broker,
  });
  const store = await openSqliteStore({ file: ':memory:' });
  const cse = await Cse.open({
    store,
    appRules,
    config: { expirySweepMs: 0, cseId, spId },
    senders: o.senders,
    ...o.cse,
  });
  const logs: LogLine[] = [];
  const logger: BindingLogger = (e) => logs.push({ level: e.level, message: e.message, topic: e.topic, rqi: e.rqi });
  const cseCert = certConnect(broker, 'id-in', 'C::id-in', { reconnectPeriodMs: 1000 });
  const world: World = {
    broker,
    cse,
    binding: undefined as unknown as MqttBinding,
    logs,
    logger,
    async startBinding(extra = {}) {
      world.binding = await createMqttBinding({
        handler: cse.handle,
        cseId,
        spId,
        connect: cseCert,
        logger,
        ...extra,
      });
      return world.binding;
    },
    async close() {
      await world.binding?.close().catch(() => {});
      await cse.stop();
      await broker.stop();
    },
  };
  await world.startBinding();
  return world;
}

/** Waits until `cond` holds (polling), failing after `ms`. */
export async function until(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
