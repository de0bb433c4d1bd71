// The MAF process configuration: environment overrides and the refusals that stop a misconfigured start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretFilesOf } from '../src/config.js';

const base = { M2MSEC_MAF_ADMIN_TOKEN: 't' };
const goodMqtt = {
  url: 'mqtts://localhost:8883',
  cert: 'c.pem',
  key: 'k.pem',
  receiverId: '/id-maf',
  spId: 'm2msec.org',
};
/** A configuration file whose mqtt key is the good one with `change` applied. */
function mqttFile(change: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'm2msec-maf-config-')), 'maf.json');
  writeFileSync(file, JSON.stringify({ mqtt: { ...goodMqtt, ...change } }));
  return file;
}

describe('MAF configuration', () => {
  it('applies environment overrides', () => {
    const c = loadConfig({
      ...base,
      M2MSEC_MAF_FQDN: 'maf.example.com',
      M2MSEC_MAF_PSK_PORT: '9444',
      M2MSEC_STORE: 'postgres',
      M2MSEC_PG_URL: 'postgres://x@127.0.0.1/db',
    });
    expect(c.fqdn).toBe('maf.example.com');
    expect(c.psk).toEqual({ host: '127.0.0.1', port: 9444 });
    expect(c.store).toEqual({ kind: 'postgres', connectionString: 'postgres://x@127.0.0.1/db' });
  });

  it.each([
    [{}, /admin.token/],
    [{ ...base, M2MSEC_MAF_PSK_PORT: '70000' }, /M2MSEC_MAF_PSK_PORT must be a port number/],
    [{ ...base, M2MSEC_MAF_FQDN: 'not a name' }, /fqdn must be a host name/],
    [{ ...base, M2MSEC_STORE: 'postgres' }, /needs M2MSEC_PG_URL/],
    [{ ...base, M2MSEC_MAF_CONFIG: '/nonexistent/maf.json' }, /M2MSEC_MAF_CONFIG/],
    [{ ...base, M2MSEC_MAF_CONFIG: mqttFile({ url: 'http://x' }) }, /mqtt.url must be an mqtts:/],
    [{ ...base, M2MSEC_MAF_CONFIG: mqttFile({ receiverId: 'id-maf' }) }, /mqtt.receiverId must be an SP-relative ID/],
    [{ ...base, M2MSEC_MAF_CONFIG: mqttFile({ spId: '//m2msec.org' }) }, /mqtt.spId must be the M2M-SP-ID/],
    [{ ...base, M2MSEC_MAF_CONFIG: mqttFile({ cert: undefined }) }, /needs the role's broker credential/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes a valid mqtt switch and counts its key file as a secret', () => {
    const c = loadConfig({ ...base, M2MSEC_MAF_CONFIG: mqttFile({}) });
    expect(c.mqtt).toEqual(goodMqtt);
    expect(secretFilesOf(c)).toContainEqual(['k.pem', 'MQTT client private key (mqtt.key)']);
  });
});
