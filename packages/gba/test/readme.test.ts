// Runs the README example as a program (in this package folder, so '@m2msec/gba' resolves to itself).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example bootstraps, fetches Ks_NAF over Zn and associates with TLS-PSK', () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(pkg, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code as string);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', file], {
      cwd: pkg,
      timeout: 60_000,
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/^B-TID [A-Za-z0-9+/]{22}==@bsf\.mef\.example\.com until \d{4}-/);
    expect(out).toMatch(/NAF holds Ks_NAF for sensor-1@ims\.example\.com \(Enrolee-ID C-sensor-1\)/);
    expect(out).toMatch(/TLS-PSK PSK-AES128-CBC-SHA256: welcome/);
  } finally {
    rmSync(file, { force: true });
  }
}, 60_000);
