// scripts/start.sh as a new user meets it (issue: start-up that tells the truth): in a fresh clone whose
// install step fails, the error and the log's place are printed and the script exits non-zero, with no
// corepack stack trace. The clone is of the committed HEAD, so this checks what a user would get. Then the
// fast path (nothing changed: no install, no build) and Ctrl-C (exit 0, no pnpm noise).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('scripts/start.sh', () => {
  it('prints the failing install step, its log and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-start-'));
    const clone = join(dir, 'repo');
    const c = spawnSync('git', ['clone', '-q', repo, clone], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    // A manifest that no longer matches the lockfile: `pnpm install --frozen-lockfile` refuses at once.
    const manifest = join(clone, 'packages', 'cse', 'package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    pkg.dependencies = { ...pkg.dependencies, 'is-number': '7.0.0' };
    writeFileSync(manifest, JSON.stringify(pkg, null, 2));
    const r = spawnSync('bash', ['scripts/start.sh'], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, M2MSEC_HTTP_PORT: '1', M2MSEC_DATA_DIR: join(dir, 'data') },
      timeout: 120_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('pnpm install failed');
    expect(r.stderr).toContain('.data/logs/install.log');
    expect(r.stderr).toMatch(/ERR_PNPM_OUTDATED_LOCKFILE|lockfile/i);
    expect(r.stderr + r.stdout).not.toMatch(/No compatible signature|at .*corepack/);
    expect(readFileSync(join(clone, '.data', 'logs', 'install.log'), 'utf8')).toMatch(/lockfile/i);
  });

  // The fast path and Ctrl-C, in a copy of this built working tree as start.sh leaves it after a successful
  // install and build (its two stamps; building it again from nothing would take minutes on a loaded machine):
  // the start says it skipped install and build, the CSE comes up, and SIGINT to the process group (what
  // Ctrl-C sends) stops it with exit 0 and nothing from pnpm. Then a source edit makes the next start build.
  it('skips install and build when nothing changed, and Ctrl-C exits 0 without pnpm noise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-start-fast-'));
    const copy = join(dir, 'repo');
    // The root node_modules as hard links (nothing in it is written on the way), the rest copied.
    for (const args of [
      ['--exclude=/.git', '--exclude=/.data', '--exclude=/node_modules', '--exclude=/test-report', '--exclude=*.log'],
      [`--link-dest=${join(repo, 'node_modules')}`, join(repo, 'node_modules/'), join(copy, 'node_modules')],
    ]) {
      const c = spawnSync('rsync', ['-a', ...(args.length === 3 ? args : [...args, repo, copy])], { encoding: 'utf8' });
      expect(c.status, c.stderr).toBe(0);
    }
    try {
      writeFileSync(join(copy, 'node_modules', '.m2msec-install-stamp'), '');
      writeFileSync(join(copy, 'apps', 'in-cse', 'dist', '.m2msec-build-stamp'), '');
      const fast = await startScript(copy, join(dir, 'data1'), 'IN-CSE ready');
      expect(fast.seen, fast.stderr).toBe(true);
      expect(fast.stderr).toContain('dependencies up to date: install skipped');
      expect(fast.stderr).toContain('build up to date: build skipped');
      expect(fast.stderr).not.toMatch(/installing dependencies|building the IN-CSE/);
      expect({ code: fast.code, signal: fast.signal }, fast.stdout.slice(-2000) + fast.stderr).toEqual({
        code: 0,
        signal: null,
      });
      expect(fast.stderr).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed|pnpm/);
      expect(fast.stdout).toMatch(/"event":"stopped"/);

      // A source edit is seen: the next start builds (stopped as soon as it says so).
      const src = join(copy, 'packages', 'cse', 'src', 'index.ts');
      writeFileSync(src, `${readFileSync(src, 'utf8')}\n`);
      const edited = await startScript(copy, join(dir, 'data2'), 'building the IN-CSE', 'SIGTERM');
      expect(edited.seen, edited.stderr).toBe(true);
      expect(edited.stderr).toContain('install skipped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Runs scripts/start.sh in its own process group, waits for `until` in its output, then signals the group. */
async function startScript(
  cwd: string,
  dataDir: string,
  until: string,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<{ seen: boolean; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('M2MSEC_'))),
      M2MSEC_HTTP_PORT: '0',
      M2MSEC_DATA_DIR: dataDir,
    },
  });
  let stdout = '';
  let stderr = '';
  let seen = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 120_000);
    const look = () => {
      if (!seen && (stdout + stderr).includes(until)) {
        seen = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      look();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      look();
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (child.exitCode === null && child.pid) process.kill(-child.pid, signal);
  const end = await exited;
  await new Promise((r) => setImmediate(r));
  return { seen, ...end, stdout, stderr };
}
