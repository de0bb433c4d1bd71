// transport.failover of an MQTT AE (docs/mqtt-cluster.md): the other nodes of a clustered broker, all with
// the scheme of transport.url.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aeOptions, readConfig } from '../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-ae-failover-'));
let n = 0;
function file(content: string): string {
  const f = join(dir, `f${++n}`);
  writeFileSync(f, content, { mode: 0o600 });
  return f;
}
const psk = { identity: '12-ae1@m2msec.org', keyFile: file('00112233445566778899aabbccddeeff') };
const config = (failover: unknown) => ({
  registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
  appId: 'Nt',
  stem: 'Cae1',
  transport: { kind: 'mqtt', url: 'mqtts://n1.m2msec.org:8883', psk, failover },
});
const load = (c: unknown) => aeOptions(readConfig(file(JSON.stringify(c))));

describe('MQTT AE: transport.failover', () => {
  it('passes the other broker nodes to the transport', () => {
    const o = load(config(['mqtts://n2.m2msec.org:8883']));
    expect(o.transport).toMatchObject({ kind: 'mqtt', failover: ['mqtts://n2.m2msec.org:8883'] });
  });

  it('refuses a node of another scheme (a plain fallback behind TLS) and a non-list', () => {
    expect(() => load(config(['mqtt://n2.m2msec.org:1883']))).toThrow(/transport.failover/);
    expect(() => load(config('mqtts://n2.m2msec.org:8883'))).toThrow(/transport.failover/);
    expect(() => load(config(['https://n2.m2msec.org']))).toThrow(/transport.failover/);
  });
});
