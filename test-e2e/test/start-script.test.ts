// scripts/start.sh as a new user meets it (issue: start-up that tells the truth): in a fresh clone whose
// install step fails, the error and the log's place are printed and the script exits non-zero, with no
// corepack stack trace. The clone is of the committed HEAD, so this checks what a user would get.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
