// infra/docker checked without a Docker engine: the configuration files the compose scenario mounts
// pass the apps' own configuration loaders, the PKI script produces every file they name and a
// mosquitto configuration, and `docker-compose config` parses the compose file where the client exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig as readAeConfig } from '../../apps/ae/src/config.js';
import { loadConfig as loadMnCseConfig } from '../../apps/mn-cse/src/config.js';
import { loadConfig as loadInCseConfig } from '../../packages/node/src/config.js';

const docker = fileURLToPath(new URL('../../infra/docker/', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const config = (name: string) => join(docker, 'config', name);

/** Every /pki/... path a configuration names. */
function pkiPaths(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/"\/pki\/([^"]+)"/g)].map((m) => m[1]!);
}

describe('infra/docker', () => {
  it('the mounted configurations pass the IN-CSE, MN-CSE and AE loaders', () => {
    const inCse = loadInCseConfig({ M2MSEC_CONFIG: config('in-cse.json') });
    expect(inCse.security.certificate?.port).toBe(8443);
    const mn = loadMnCseConfig({ M2MSEC_CONFIG: config('mn-cse.json') });
    expect(mn.registrar.certificate?.servername).toBe('id-in.m2msec.org');
    for (const ae of ['ae1.json', 'ae2.json', 'ae3.json']) expect(readAeConfig(config(ae)).stem).toMatch(/^Cae\d$/);
  });

  it('make-pki.sh writes every key and certificate the configurations name, and the broker files', () => {
    const pki = mkdtempSync(join(tmpdir(), 'm2msec-docker-pki-'));
    const r = spawnSync('bash', [join(docker, 'scripts', 'make-pki.sh')], {
      encoding: 'utf8',
      env: { ...process.env, PKI: pki, REPO: repo },
    });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['in-cse.json', 'mn-cse.json', 'ae1.json', 'ae2.json', 'ae3.json'].flatMap((c) =>
      pkiPaths(config(c)),
    )) {
      expect(existsSync(join(pki, f)), f).toBe(true);
    }
    const conf = readFileSync(join(pki, 'mosquitto', 'mosquitto.conf'), 'utf8');
    expect(conf).toMatch(/listener 8883 0\.0\.0\.0/);
    expect(conf).toMatch(/listener 8884 0\.0\.0\.0/);
    expect(readFileSync(join(pki, 'mosquitto', 'acl'), 'utf8')).toMatch(/user 12-ae1@m2msec.org/);
    // The MN-CSE certificate's SAN is the CSE-ID form the IN-CSE binds (TS-0003 10.1.1.7).
    const san = spawnSync('openssl', ['x509', '-in', join(pki, 'mn-cse.pem'), '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    });
    expect(san.stdout).toMatch(/DNS:id-mn\.id-in\.m2msec\.org/);
  });

  it('docker-compose parses compose.yaml (scripts/ensure-debs.sh installs the client)', () => {
    const r = spawnSync('docker-compose', ['-f', join(docker, 'compose.yaml'), 'config', '-q'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
