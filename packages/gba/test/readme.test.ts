// Runs the README example as a program (in the package folder, so '@m2msec/gba' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example bootstraps, fetches Ks_NAF over Zn and associates with TLS-PSK', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^B-TID [A-Za-z0-9+/]{22}==@bsf\.mef\.example\.com until \d{4}-/);
  expect(r.stdout).toMatch(/NAF holds Ks_NAF for sensor-1@ims\.example\.com \(Enrolee-ID C-sensor-1\)/);
  expect(r.stdout).toMatch(/TLS-PSK PSK-AES128-CBC-SHA256: welcome/);
}, 90_000);
