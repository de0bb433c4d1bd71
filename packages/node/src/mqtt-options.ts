// The MQTT binding's broker connection from the configuration (TS-0010 7.3): the CSE's TLS credential
// towards the broker from files (a client certificate, or a PSK whose key file holds hex).
import { readFileSync } from 'node:fs';
import type { MqttConnectOptions } from '@m2msec/binding-mqtt';
import { ConfigError } from './config.js';

/** The `mqtt` configuration key (IN-CSE and MN-CSE files). */
export interface MqttConfig {
  /** Broker URL: mqtts://host:port (or mqtt:// on a closed loopback lab). */
  url: string;
  /** Further nodes of the same clustered broker, tried in turn when the connection is lost (docs/mqtt-cluster.md). */
  failover?: string[];
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  psk?: { identity: string; keyFile: string };
  /** TS-0010 6.6 topic prefix; default none. */
  topicPrefix?: string;
}

/** A PSK file: 16 to 64 bytes as hex (the same form as every key file of the apps). */
export function keyFromFile(path: string, what: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new ConfigError(`${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(text)) throw new ConfigError(`${what} must hold 16 to 64 bytes of hex`);
  return Buffer.from(text, 'hex');
}

export function mqttConnectOptions(m: MqttConfig): Omit<MqttConnectOptions, 'clientId'> {
  return {
    url: m.url,
    ...(m.failover?.length ? { failover: m.failover } : {}),
    tls: {
      ...(m.ca ? { ca: readFileSync(m.ca, 'utf8') } : {}),
      ...(m.cert ? { cert: readFileSync(m.cert, 'utf8') } : {}),
      ...(m.key ? { key: readFileSync(m.key, 'utf8') } : {}),
      ...(m.servername ? { servername: m.servername } : {}),
      ...(m.psk ? { psk: { identity: m.psk.identity, key: keyFromFile(m.psk.keyFile, 'mqtt.psk.keyFile') } } : {}),
    },
  };
}
