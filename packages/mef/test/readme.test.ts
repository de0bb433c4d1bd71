// Runs the README example as a program (in the package folder, so '@m2msec/mef' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example enrols a device and the target fetches the same Kpsa', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 90_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^enrolled [0-9a-f]{32}@mef\.example\.com as Csensor1\n/);
  expect(r.stdout).toMatch(/target has the same Kpsa: true for Csensor1/);
}, 120_000);
