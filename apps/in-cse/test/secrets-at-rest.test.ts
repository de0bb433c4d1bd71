// Issue 12 item 8 against the IN-CSE process and the CLIs: the KEK not beside the keystore, data files 0600
// in a 0700 directory, a refusal to start on a secret file readable by group or others (naming the file and
// the chmod fix), and no key in argv (refused with what to use instead; a grep over every CLI's options).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startInCse } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const appsDir = join(here, '..', '..');
const mode = (p: string) => statSync(p).mode & 0o777;
const tmp = (p = 'm2msec-at-rest-') => mkdtempSync(join(tmpdir(), p));

/** Runs the IN-CSE until it exits (a refused start) or 8 s pass; returns exit code and output. */
function runInCse(env: Record<string, string>, config?: unknown): { code: number | null; out: string } {
  const dir = tmp();
  let configPath = '';
  if (config !== undefined) {
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  }
  const r = spawnSync(process.execPath, [join(dist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_HTTP_PORT: '0',
      M2MSEC_HTTP_HOST: '127.0.0.1',
      M2MSEC_DATA_DIR: join(dir, 'data'),
      M2MSEC_LOG_LEVEL: 'warn',
      M2MSEC_CONFIG: configPath,
      ...env,
    },
    timeout: 8000,
    encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('IN-CSE start-up refusals', () => {
  it('a world-readable KEK file: refused, naming the file and the chmod fix', () => {
    const kek = join(tmp(), 'kek');
    writeFileSync(kek, randomBytes(32), { mode: 0o644 });
    const r = runInCse({ M2MSEC_KEK_FILE: kek });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`key-encryption key file ${kek} is accessible to group or others (mode 0644)`);
    expect(r.out).toContain(`chmod 600 ${kek}`);
  });

  it('a group-readable TLS private key named in the configuration: refused', () => {
    const d = tmp();
    const key = join(d, 'server.key');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o640 });
    const r = runInCse(
      {},
      {
        security: {
          certificate: {
            host: '127.0.0.1',
            port: 0,
            cert: join(d, 'c.pem'),
            key,
            trustAnchors: [join(d, 'ca.pem')],
            crls: [],
            tls13: true,
          },
        },
      },
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(`TLS private key (security.certificate.key) ${key} is accessible to group or others`);
    expect(r.out).toContain(`chmod 600 ${key}`);
  });

  it('a configuration file holding a private JWK, readable by others: refused', () => {
    const d = tmp();
    const configPath = join(d, 'config.json');
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' };
    writeFileSync(
      configPath,
      JSON.stringify({ authorization: { tokenDecryption: { key: jwk, keyManagementAlgorithms: ['ECDH-ES'] } } }),
      { mode: 0o644 },
    );
    const r = runInCse({ M2MSEC_CONFIG: configPath });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`chmod 600 ${configPath}`);
  });

  it('the KEK inside the data directory when not allowed (the secure setting): refused before anything is written', () => {
    const d = tmp();
    const r = runInCse({ M2MSEC_DATA_DIR: join(d, 'data') }, { security: { kekInDataDir: false } });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/key-encryption key .*keystore\.key is inside the data directory/);
    expect(r.out).toMatch(/M2MSEC_KEK/);
    expect(existsSync(join(d, 'data', 'keystore.key'))).toBe(false);
    expect(existsSync(join(d, 'data', 'keystore.json'))).toBe(false);
  });
});

describe('IN-CSE data at rest', () => {
  it('KEK from M2MSEC_KEK: runs with no key file anywhere; data dir 0700, database and keystore 0600', async () => {
    const dataDir = join(tmp(), 'data');
    const cse = await startInCse({ store: 'sqlite', dataDir, env: { M2MSEC_KEK: randomBytes(32).toString('hex') } });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(existsSync(join(dataDir, 'keystore.key'))).toBe(false);
      const files = readdirSync(dataDir);
      expect(files).toContain('resources.db');
      expect(files).toContain('keystore.json');
      for (const f of files) expect(mode(join(dataDir, f)), f).toBe(0o600);
      expect(cse.output()).not.toMatch(/inside the data directory it protects/);
    } finally {
      await cse.stop();
    }
  }, 30_000);

  it('KEK file outside the data directory: created 0600 there, the keystore reopens after a restart', async () => {
    const dataDir = join(tmp(), 'data');
    const kek = join(tmp('m2msec-kek-'), 'in-cse.kek');
    const first = await startInCse({ store: 'sqlite', dataDir, env: { M2MSEC_KEK_FILE: kek } });
    await first.stop();
    expect(mode(kek)).toBe(0o600);
    expect(existsSync(join(dataDir, 'keystore.key'))).toBe(false);
    const second = await startInCse({ store: 'sqlite', dataDir, env: { M2MSEC_KEK_FILE: kek } });
    await second.stop();
    // The same keystore under another KEK does not open.
    const wrong = runInCse({ M2MSEC_DATA_DIR: dataDir, M2MSEC_KEK: randomBytes(32).toString('hex') });
    expect(wrong.code).toBe(1);
  }, 60_000);
});

describe('no key in argv', () => {
  it('credentials --key-hex is refused with what to use instead; a world-readable --key-file too', () => {
    const dataDir = join(tmp(), 'data');
    const cli = (args: string[], input?: string) =>
      spawnSync(process.execPath, [join(dist, 'credentials.js'), ...args], {
        env: { ...(process.env as Record<string, string>), M2MSEC_CONFIG: '', M2MSEC_DATA_DIR: dataDir },
        encoding: 'utf8',
        ...(input !== undefined ? { input } : {}),
      });
    const hex = randomBytes(32).toString('hex');
    const argv = cli(['add-psk', '--id', 'k1@mef.example.com', '--key-hex', hex]);
    expect(argv.status).toBe(2);
    expect(argv.stderr).toMatch(/--key-hex is no longer accepted.*use --key-file <file> \(mode 0600\) or --key-file -/);
    const loose = join(tmp(), 'k.hex');
    writeFileSync(loose, hex, { mode: 0o644 });
    const l = cli(['add-psk', '--id', 'k1@mef.example.com', '--key-file', loose]);
    expect(l.status).toBe(2);
    expect(l.stderr).toContain(`chmod 600 ${loose}`);
    const ok = cli(['add-psk', '--id', 'k1@mef.example.com', '--key-file', '-'], hex);
    expect(ok.status, ok.stderr).toBe(0);
    expect(cli(['list']).stdout).toContain('k1@mef.example.com');
  });

  it('no CLI of any app reads key material from an option value (grep over every argv parser)', () => {
    const secretOption = /(?:^|-)hex$|^(?:k|op|opc|kpm|km|psk|secret|password|passphrase|token|kek)$/;
    const offenders: string[] = [];
    let clis = 0;
    for (const app of readdirSync(appsDir)) {
      const src = join(appsDir, app, 'src');
      if (!existsSync(src)) continue;
      for (const f of readdirSync(src).filter((n) => n.endsWith('.ts'))) {
        const text = readFileSync(join(src, f), 'utf8');
        if (!text.includes('process.argv')) continue;
        clis++;
        // Option values read: one(o, 'x'), o.get('x'), need('x'), args.get('x'); usage lines: --x <hex...>.
        for (const m of text.matchAll(/(?:one\(o, |o\.get\(|need\(|a\.get\()'([a-z0-9-]+)'/g)) {
          if (secretOption.test(m[1]!)) offenders.push(`${app}/src/${f}: --${m[1]}`);
        }
        for (const m of text.matchAll(/--([a-z0-9-]+) <hex/g)) offenders.push(`${app}/src/${f}: usage --${m[1]} <hex>`);
      }
    }
    expect(clis).toBeGreaterThanOrEqual(5);
    expect(offenders).toEqual([]);
  });
});
