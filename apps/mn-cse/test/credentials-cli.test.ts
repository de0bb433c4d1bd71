// The MN-CSE's credentials CLI (dist/credentials.js): the IN-CSE's commands through the shared parser, on the
// MN-CSE's configuration. --help answers without opening anything; a key in argv is refused; a Kpsa added
// with `add-psk --key-file -` (stdin) is what the MN-CSE's TLS-PSK listener then accepts (TS-0003 8.2.2.1):
// an AE with that key registers over it, one with another key gets no session.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender } from '@m2msec/binding-http';
import { createSaefAgent } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const aeKey = randomBytes(32);
let child: ChildProcess | undefined;
let dir: string;
let kekDir: string;
let configFile: string;
let pskUrl: string;
let n = 0;
const req = (r: Record<string, unknown>) => ({ ...r, rqi: `c${++n}`, rvi: '3' }) as never;

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(dist, 'credentials.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, M2MSEC_CONFIG: configFile, M2MSEC_LOG_LEVEL: 'warn' },
    ...(input !== undefined ? { input } : {}),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-cred-'));
  kekDir = mkdtempSync(join(tmpdir(), 'm2msec-mn-cred-kek-'));
  const registrarKey = join(dir, 'registrar.hex');
  writeFileSync(registrarKey, randomBytes(32).toString('hex'), { mode: 0o600 });
  const pskPort = await freePort();
  pskUrl = `https://127.0.0.1:${pskPort}`;
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      http: { host: '127.0.0.1', port: await freePort(), maxBodyBytes: 1048576 },
      dataDir: join(dir, 'data'),
      // A registrar that is not there: registration retries in the background, the listeners serve.
      registrar: {
        url: `https://127.0.0.1:${await freePort()}`,
        retryMs: 60_000,
        psk: { identity: 'mn', keyFile: registrarKey },
      },
      registration: {
        appRules: [{ name: 'kpsa', applicableCredIDs: ['12-kpsa-cli'], allowedAppIDs: ['Nnode'], allowedAEs: ['*'] }],
      },
      security: { keyFile: join(kekDir, 'kek'), psk: { host: '127.0.0.1', port: pskPort, tls13: false } },
    }),
  );
});

afterAll(() => {
  child?.kill('SIGTERM');
  for (const d of [dir, kekDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('MN-CSE credentials CLI', () => {
  it('--help lists the commands and exits 0 without opening the data directory', () => {
    const r = cli(['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^m2msec-mn-cse-credentials 0\.1\.0: the MN-CSE's credentials/);
    for (const c of [
      'add-psk --id <KpsaID> --key-file <file|->',
      'add-dk-ta',
      'add-km',
      'bind --credential',
      'list',
      'delete --id',
    ])
      expect(r.stdout).toContain(c);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  }, 60_000);

  it('refuses a key in argv, an unknown command and an unknown option with exit 2, storing nothing', () => {
    const hex = randomBytes(32).toString('hex');
    const argv = cli(['add-psk', '--id', 'kpsa-x', '--key-hex', hex]);
    expect(argv.status).toBe(2);
    expect(argv.stderr).toMatch(/--key-hex is no longer accepted.*use --key-file <file> \(mode 0600\) or --key-file -/);
    expect(argv.stderr).not.toContain(hex);
    const unknown = cli(['add-pks']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'add-pks' \(add-psk, add-dk-ta/);
    const option = cli(['list', '--verbose']);
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--verbose'.*see m2msec-mn-cse-credentials --help/);
    const twice = cli(['add-psk', '--id', 'a', '--id', 'b', '--key-file', '-'], hex);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/--id is required once/);
    // The reserved administrator originator is never an AE binding (docs/administration.md).
    const reserved = cli(['add-psk', '--id', 'kpsa-x', '--key-file', '-', '--bind', 'CAdmin'], hex);
    expect(reserved.status).toBe(2);
    expect(reserved.stderr).toMatch(/--bind 'CAdmin' is reserved/);
    expect(cli(['list']).stdout).toBe('');
  }, 150_000);

  it('adds a Kpsa from stdin that the MN-CSE TLS-PSK listener then accepts; another key gets no session', async () => {
    const add = cli(['add-psk', '--id', 'kpsa-cli', '--key-file', '-', '--bind', 'Ccli'], aeKey.toString('hex'));
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toBe('added Kpsa kpsa-cli (Credential-ID 12-kpsa-cli)\n');
    expect(add.stdout + add.stderr).not.toContain(aeKey.toString('hex'));
    const list = cli(['list']);
    expect(list.stdout).toMatch(/^Kpsa\tkpsa-cli\tbound .*Ccli/m);

    let out = '';
    child = spawn(process.execPath, [join(dist, 'main.js')], {
      env: { ...process.env, M2MSEC_CONFIG: configFile, M2MSEC_LOG_LEVEL: 'info' },
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 90_000;
    while (!/MN-CSE ready/.test(out) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/MN-CSE ready/);

    const agent = createSaefAgent({ kind: 'psk', identity: 'kpsa-cli', key: aeKey });
    const psk = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: agent });
    const wrongAgent = createSaefAgent({ kind: 'psk', identity: 'kpsa-cli', key: randomBytes(32) });
    const wrong = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: wrongAgent });
    try {
      const created = await psk.send(
        pskUrl,
        req({ op: 1, to: 'cse-mn', fr: 'Ccli', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
      );
      expect(created.rsc, JSON.stringify(created)).toBe(2001);
      expect((await psk.send(pskUrl, req({ op: 2, to: 'cse-mn/Ccli', fr: 'Ccli' }))).rsc).toBe(2000);
      await expect(wrong.send(pskUrl, req({ op: 2, to: 'cse-mn', fr: 'Ccli' }))).rejects.toThrow();
    } finally {
      psk.close();
      agent.destroy();
      wrong.close();
      wrongAgent.destroy();
    }
  }, 150_000);
});
