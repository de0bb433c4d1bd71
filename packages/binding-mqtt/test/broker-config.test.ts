// infra/mosquitto/write-config.ts: what it writes and what it refuses (names that would change an ACL line's meaning).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type MosquittoClientIds,
  type MosquittoCse,
  userAcls,
  writeMosquittoConfig,
} from '../../../infra/mosquitto/write-config.js';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'm2msec-conf-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeMosquittoConfig', () => {
  it('writes a PSK file readable by its owner only, and per-user ACL sections', () => {
    const files = writeMosquittoConfig({
      dir: dir(),
      psk: { port: 18884, keys: [{ identity: '12-dev1@m2msec.org', keyHex: 'A0B1' }] },
      cses: [{ username: 'id-in', cseId: '/id-in' }],
      clients: [{ username: '12-dev1@m2msec.org', ids: ['Cdev1'] }],
    });
    expect(readFileSync(files.pskFile!, 'utf8')).toBe('12-dev1@m2msec.org:a0b1\n');
    expect(statSync(files.pskFile!).mode & 0o777).toBe(0o600);
    const acl = readFileSync(files.aclFile, 'utf8');
    expect(acl).toContain('user id-in\ntopic read /oneM2M/reg_req/+/id-in/+\ntopic write /oneM2M/reg_resp/+/id-in/+\n');
    expect(acl).toContain('user 12-dev1@m2msec.org\ntopic write /oneM2M/req/Cdev1/+/+\n');
    const conf = readFileSync(files.confFile, 'utf8');
    expect(conf).not.toMatch(/\$\{/);
    expect(conf).toMatch(/^listener 18884 127\.0\.0\.1\n(?:.*\n)*allow_anonymous false\n/m);
    expect(conf).toMatch(/^psk_file .*\/psk$/m);
  });

  it.each<[string, { cses?: MosquittoCse[]; clients?: MosquittoClientIds[] }, RegExp]>([
    ['a username with a wildcard', { clients: [{ username: 'a+b', ids: ['Cx'] }] }, /cannot be one MQTT topic level/],
    ['an ID with a slash', { clients: [{ username: 'u', ids: ['id-in/Cx'] }] }, /cannot be one MQTT topic level/],
    ['a CSE-ID without /', { cses: [{ username: 'id-in', cseId: 'id-in' }] }, /not an SP-relative CSE-ID/],
  ])('refuses %s', (_, o, message) => {
    expect(() => userAcls(o.cses ?? [], o.clients ?? [])).toThrow(message);
  });

  it('refuses PSK identities with ":" and keys that are not hex, and a config without listeners', () => {
    expect(() =>
      writeMosquittoConfig({ dir: dir(), psk: { port: 1, keys: [{ identity: 'a:b', keyHex: '00' }] } }),
    ).toThrow(/cannot go in a psk_file/);
    expect(() =>
      writeMosquittoConfig({ dir: dir(), psk: { port: 1, keys: [{ identity: 'ab', keyHex: 'xyz' }] } }),
    ).toThrow(/not hex/);
    expect(() => writeMosquittoConfig({ dir: dir() })).toThrow(/at least one of tls and psk/);
  });
});
