// The `mqtt` configuration key (issue 11): schema-checked like every key, and the secure profile refuses a
// broker session in the clear (TS-0010 7.3: the broker authenticates the CSE's TLS client session).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mqttConnectOptions } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-node-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (config: unknown) => {
  const file = join(dir, `c${++n}.json`);
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return () => loadConfig({ M2MSEC_CONFIG: file });
};
const secure = { profile: 'secure', http: { enabled: false }, security: { keyFile: join(dir, 'kek') } };

describe('mqtt configuration key', () => {
  it('accepts a broker URL with TLS files and a topic prefix', () => {
    const c = load({
      mqtt: { url: 'mqtts://127.0.0.1:8883', ca: 'ca.pem', cert: 'c.pem', key: 'c.key', topicPrefix: 'a/b' },
    })();
    expect(c.mqtt).toEqual({
      url: 'mqtts://127.0.0.1:8883',
      ca: 'ca.pem',
      cert: 'c.pem',
      key: 'c.key',
      topicPrefix: 'a/b',
    });
  });

  it('refuses a URL of another scheme, an unknown key and a PSK without its key file', () => {
    expect(load({ mqtt: { url: 'http://127.0.0.1:1883' } })).toThrow(/\/mqtt\/url/);
    expect(load({ mqtt: { url: 'mqtts://b:8883', password: 'x' } })).toThrow(ConfigError);
    expect(load({ mqtt: { url: 'mqtts://b:8883', psk: { identity: 'id-in' } } })).toThrow(/keyFile/);
  });

  it('the secure profile refuses mqtt:// (no TLS to the broker) and accepts mqtts://', () => {
    expect(load({ ...secure, mqtt: { url: 'mqtt://127.0.0.1:1883' } })).toThrow(/secure.*mqtts:\/\//);
    expect(load({ ...secure, mqtt: { url: 'mqtts://127.0.0.1:8883' } })().mqtt?.url).toBe('mqtts://127.0.0.1:8883');
  });

  it('takes the other nodes of a clustered broker; the secure profile wants every one mqtts://', () => {
    const failover = ['mqtts://n2.m2msec.org:8883', 'mqtts://n3.m2msec.org:8883'];
    const c = load({ ...secure, mqtt: { url: 'mqtts://n1.m2msec.org:8883', failover } })();
    expect(c.mqtt?.failover).toEqual(failover);
    expect(mqttConnectOptions(c.mqtt!).failover).toEqual(failover);
    // A plain node behind a TLS url would give the CSE's session to whoever answers there.
    expect(
      load({ ...secure, mqtt: { url: 'mqtts://n1.m2msec.org:8883', failover: ['mqtt://n2.m2msec.org:1883'] } }),
    ).toThrow(/secure.*mqtts:\/\/.*mqtt:\/\/n2/);
    expect(load({ mqtt: { url: 'mqtts://n1:8883', failover: ['http://n2'] } })).toThrow(ConfigError);
  });
});
