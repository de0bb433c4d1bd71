// A role server's oneM2M procedures (the MAF's Mmaf, the MEF's Mmef: protocol EdgeRoutes) served over
// the MQTT binding (TS-0010 6.4.3), as the MAF and MEF apps compose it (docs/maf.md, docs/mef.md
// "... over MQTT"). The role listens as `receiverId` on /oneM2M/req/+/<receiverId>/+; the broker proves
// each originator (TS-0010 7.1-7.4, infra/mosquitto), binding-mqtt's edgeRouteHandler checks From
// against it and hands it to the role in the transport context. No reg_req: a role is no registrar.
import {
  type BindingLogger,
  createMqttBinding,
  edgeRouteHandler,
  type MqttBinding,
  type MqttConnectOptions,
} from '@m2msec/binding-mqtt';
import type { EdgeRoute } from '@m2msec/protocol';
import { ConfigError } from './config.js';
import { type MqttConfig, mqttConnectOptions } from './mqtt-options.js';

/** The `mqtt` configuration key of the MAF and MEF apps. */
export interface RoleMqttConfig extends MqttConfig {
  /** SP-relative ID the role listens under (the <receiver> topic level), e.g. '/id-maf'. */
  receiverId: string;
  /** M2M-SP-ID of the broker's clients: '/id-mn' in a topic is the Absolute ID '//<spId>/id-mn'. */
  spId: string;
}

/** Checks a RoleMqttConfig from a configuration file; `where` names the key in messages. */
export function checkRoleMqttConfig(m: unknown, where = 'mqtt'): RoleMqttConfig {
  const c = m as Partial<RoleMqttConfig> | null;
  if (typeof c !== 'object' || c === null) throw new ConfigError(`${where} must be an object`);
  if (typeof c.url !== 'string' || !/^mqtts?:\/\//.test(c.url)) {
    throw new ConfigError(`${where}.url must be an mqtts:// (or mqtt://) broker URL`);
  }
  if (typeof c.receiverId !== 'string' || !/^\/[A-Za-z0-9._~-]+$/.test(c.receiverId)) {
    throw new ConfigError(`${where}.receiverId must be an SP-relative ID such as '/id-maf'`);
  }
  if (typeof c.spId !== 'string' || !/^[A-Za-z0-9._~-]+$/.test(c.spId)) {
    throw new ConfigError(`${where}.spId must be the M2M-SP-ID without '//', e.g. 'm2msec.org'`);
  }
  if (!c.psk && !(c.cert && c.key)) {
    throw new ConfigError(`${where} needs the role's broker credential: cert and key, or psk (TS-0010 7.3)`);
  }
  return c as RoleMqttConfig;
}

export interface ServeRoleOverMqttOptions {
  /** The connection instead of the files the configuration names (tests). */
  connect?: Omit<MqttConnectOptions, 'clientId'>;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

export async function serveRoleOverMqtt(
  routes: readonly EdgeRoute[],
  c: RoleMqttConfig,
  o: ServeRoleOverMqttOptions = {},
): Promise<MqttBinding> {
  const logger = o.log
    ? (e: Parameters<BindingLogger>[0]) =>
        // The error's message only: a stack trace never reaches a log line.
        o.log!(e.level, e.message, {
          topic: e.topic,
          rqi: e.rqi,
          ...(e.error !== undefined ? { error: (e.error as Error)?.message ?? String(e.error) } : {}),
        })
    : undefined;
  const ids = { cseId: c.receiverId, spId: c.spId };
  return createMqttBinding({
    handler: edgeRouteHandler(routes, { ids, ...(logger ? { logger } : {}) }),
    ...ids,
    registration: false,
    connect: o.connect ?? mqttConnectOptions(c),
    ...(c.topicPrefix ? { topicPrefix: c.topicPrefix } : {}),
    ...(logger ? { logger } : {}),
  });
}
