// Runs the README example as a program (in the package folder, so '@m2msec/rspf' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example derives the same Ke, KeID and Kpsa on both ends', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 90_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const ids = [...r.stdout.matchAll(/KeID ([0-9a-f]{32}@mef\.example\.com)/g)].map((m) => m[1]);
  expect(ids).toHaveLength(2);
  expect(ids[0]).toBe(ids[1]);
  expect(r.stdout).toMatch(/same Kpsa: true/);
}, 120_000);
