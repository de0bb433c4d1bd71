// The one-command local topology (issue 19 item 5, scripts/topology.sh -> scripts/topology/main.mjs) as a
// newcomer runs it: from an empty state directory it makes the PKI, starts IN-CSE, MN-CSE, MEF, MAF and
// the PSK AE, and prints what to try. Then the printed next steps are driven: an AE over a certificate
// association reads what the PSK AE posted, the operator's curl works, every ops listener answers. No
// secret of the topology is in what it printed, its logs, its configuration or its stores; Ctrl-C
// (SIGTERM) stops every program and exits 0. Needs built dists (pnpm build) and openssl.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanForSecrets } from '../src/secret-scan.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(mkdtempSync(join(tmpdir(), 'm2msec-topology-')), 'state');
let runner: ChildProcess;
let printed = '';
let errors = '';
let exited: Promise<number | null>;
let topo: any;

async function waitFor(what: string, ok: () => boolean, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s:\n${printed}\n${errors}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const log = (name: string) => readFileSync(join(dir, 'logs', `${name}.log`), 'utf8');
const lines = (name: string) =>
  log(name)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs the reference AE with a configuration until a line matches; returns its output. */
async function runAe(config: string, until: RegExp): Promise<string> {
  const ae = spawn(process.execPath, [join(repo, 'apps/ae/dist/main.js'), 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  ae.stdout.on('data', (d) => {
    out += d;
  });
  ae.stderr.on('data', (d) => {
    out += d;
  });
  let code: number | null | undefined;
  ae.once('exit', (c) => {
    code = c;
  });
  try {
    await waitFor(`AE output ${until}`, () => until.test(out) || code !== undefined, 120_000);
  } finally {
    if (code === undefined) {
      ae.kill('SIGTERM');
      await new Promise((r) => ae.once('exit', r));
    }
  }
  return out;
}

beforeAll(async () => {
  runner = spawn(process.execPath, [join(repo, 'scripts/topology/main.mjs'), '--dir', dir, '--base-port', '0'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout!.on('data', (d) => {
    printed += d;
  });
  runner.stderr!.on('data', (d) => {
    errors += d;
  });
  exited = new Promise((r) => runner.once('exit', (code) => r(code)));
  await waitFor(
    '"Ctrl-C stops everything"',
    () => printed.includes('Ctrl-C stops everything') || runner.exitCode !== null,
  );
  expect(runner.exitCode, errors).toBeNull();
  topo = JSON.parse(readFileSync(join(dir, 'topology.json'), 'utf8'));
});

afterAll(async () => {
  if (runner && runner.exitCode === null) {
    runner.kill('SIGTERM');
    await exited;
  }
});

describe('the one-command topology', () => {
  it('prints every URL and the credential files, never a secret', () => {
    for (const u of [
      topo.inCse.http,
      topo.inCse.certificate,
      topo.inCse.psk,
      topo.mnCse.mcc,
      topo.mef.psk,
      topo.maf.psk,
    ]) {
      expect(printed).toContain(u);
    }
    expect(printed).toContain(topo.files.aeKpsa);
    expect(printed).toMatch(/Try next:/);
    expect(errors).toContain('development PKI written');
  });

  it('the MN-CSE registered to the IN-CSE over a certificate association', () => {
    const reg = lines('in-cse').find((l) => l.kind === 'access' && l.op === 1 && l.originator === '/id-mn');
    expect(reg).toMatchObject({ association: 'certificate', identity: '/id-mn', rsc: 2001 });
    expect(lines('mn-cse').some((l) => l.msg === 'registered to the registrar CSE')).toBe(true);
  });

  it('the AE registered over TLS-PSK with its Kpsa and posts into cse-in/data', async () => {
    await waitFor(
      'a second posted line',
      () => (log('ae-psk').match(/"event":"posted".*"rsc":2001/g) ?? []).length >= 2,
    );
    const posts = lines('in-cse').filter((l) => l.kind === 'access' && l.originator === 'Cae1' && l.op === 1);
    expect(posts[0]).toMatchObject({ association: 'psk', identity: '/id-in/Cae1', rsc: 2001 });
    expect(posts.some((l) => l.to === '/id-in/cse-in/data' && l.rsc === 2001)).toBe(true);
  });

  it('the printed next step: an AE over a certificate association reads what the PSK AE posted', async () => {
    const out = await runAe(topo.files.configs.aeCert, /"event":"retrieved","to":"cse-in\/data\/la","rsc":2000/);
    expect(out).toMatch(/"event":"ready","aeId":"\/id-in\/Cae2"/);
    const read = out.split('\n').find((l) => l.includes('"event":"retrieved"'))!;
    expect(JSON.parse(JSON.parse(read).con)).toHaveProperty('seq');
    const access = lines('in-cse').filter((l) => l.kind === 'access' && l.originator === 'Cae2' && l.op === 2);
    expect(access.at(-1)).toMatchObject({ association: 'certificate', identity: '/id-in/Cae2', rsc: 2000 });
  });

  it('an AE with a wrong Kpsa is refused at the handshake and logged as a security line', async () => {
    const badKey = join(dir, 'wrong.psk');
    writeFileSync(badKey, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const config = JSON.parse(readFileSync(topo.files.configs.aePsk, 'utf8'));
    config.transport.psk.keyFile = badKey;
    const badConfig = join(dir, 'ae-wrong.json');
    writeFileSync(badConfig, JSON.stringify(config));
    const out = await runAe(badConfig, /"event":"error"/);
    expect(out).toMatch(/"event":"error"/);
    expect(out).not.toContain('ab'.repeat(32));
    await waitFor('the security line', () => log('in-cse').includes('"event":"handshake-refused"'), 30_000);
    const refused = lines('in-cse').find((l) => l.kind === 'security' && l.event === 'handshake-refused');
    expect(refused).toMatchObject({ framework: 'psk', channel: 'https-psk', identity: 'ae1@m2msec.org' });
    expect(refused.detail).toMatch(/does not match the key provisioned for it/);
    expect(log('in-cse')).not.toContain('ab'.repeat(32));
  });

  it("the operator's printed curl works with the administrator certificate", () => {
    const line = printed.split('\n').findIndex((l) => l.includes('curl --cacert'));
    const command = printed
      .split('\n')
      .slice(line, line + 3)
      .join('\n')
      .replace(/\\\n/g, ' ');
    const r = spawnSync('bash', ['-c', `${command} -s -w '\\n%{http_code}'`], { cwd: repo, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n').at(-1), r.stderr).toBe('200');
    expect(r.stdout).toContain('"m2m:cin"');
  });

  it('every ops listener answers /healthz, /readyz and /metrics with the m2msec families', async () => {
    for (const app of ['inCse', 'mnCse', 'mef', 'maf'] as const) {
      const ops = topo[app].ops as string;
      expect((await fetch(`${ops}/healthz`)).status, app).toBe(200);
      expect((await fetch(`${ops}/readyz`)).status, app).toBe(200);
      expect(await (await fetch(`${ops}/metrics`)).text(), app).toContain('m2msec_');
    }
    const metrics = await (await fetch(`${topo.inCse.ops}/metrics`)).text();
    expect(metrics).toMatch(/m2msec_handshakes_total\{framework="psk",outcome="completed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/m2msec_requests_total\{op="1",rsc="2001",binding="http"/);
  });

  it('no secret of the topology in its output, logs, configuration or stores (keystores aside)', () => {
    const pki = join(dir, 'pki');
    const secrets: Record<string, Buffer> = {
      kpsa: Buffer.from(readFileSync(join(pki, 'ae1.psk'), 'utf8').trim(), 'hex'),
      mefToken: Buffer.from(readFileSync(join(pki, 'mef-admin.token'), 'utf8').trim(), 'hex'),
      mafToken: Buffer.from(readFileSync(join(pki, 'maf-admin.token'), 'utf8').trim(), 'hex'),
      inKek: readFileSync(join(dir, 'keys', 'in-cse.kek')),
    };
    // The tokens are used as the hex text itself (Bearer <hex>): look for that text too.
    for (const t of ['mef-admin.token', 'maf-admin.token']) {
      secrets[`${t} text`] = Buffer.from(readFileSync(join(pki, t), 'utf8').trim());
    }
    for (const f of readdirSync(pki).filter((f) => f.endsWith('.key'))) {
      const pem = readFileSync(join(pki, f), 'utf8');
      secrets[f] = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    }
    const data = join(dir, 'data');
    const findings = scanForSecrets({
      secrets,
      outputs: { printed, errors },
      roots: [join(dir, 'logs'), join(dir, 'config'), join(dir, 'topology.json'), data],
      keystores: readdirSync(data).map((d) => join(data, d, 'keystore.json')),
    });
    expect(findings).toEqual([]);
  });

  it('SIGTERM (Ctrl-C) stops every program by its PID and exits 0', async () => {
    runner.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const [name, pid] of Object.entries(topo.pids as Record<string, number>)) expect(alive(pid), name).toBe(false);
  });

  it('each program wrote lifecycle lines: its configuration (no secret) when ready, stopping and stopped', () => {
    for (const name of ['in-cse', 'mn-cse', 'mef', 'maf']) {
      const events = lines(name).filter((l) => l.kind === 'lifecycle');
      const withConfig = events.find((l) => l.config);
      expect(withConfig?.config, name).toMatchObject(
        name.endsWith('cse') ? { profile: 'secure' } : { fqdn: `${name}.m2msec.org`, kekInDataDir: false },
      );
      expect(
        events.map((l) => l.event),
        name,
      ).toEqual(expect.arrayContaining(['ready', 'stopping', 'stopped']));
    }
    const starting = lines('in-cse').find((l) => l.event === 'starting');
    expect(starting.config.security.psk).toMatchObject({ host: '127.0.0.1', tls13: true });
    expect(starting.config.security.keyFile).toBe(join(dir, 'keys', 'in-cse.kek'));
  });

  it('scripts/topology.sh --help answers without installing, building or starting anything', () => {
    const r = spawnSync('bash', [join(repo, 'scripts/topology.sh'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--base-port');
  });
});
