// Runs the README example as a program (in the package folder, so '@m2msec/escertke' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example establishes one pairwiseE2EKey at both ends', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 90_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/same key: true kid true/);
  expect(r.stdout).toMatch(/target learned \/id-mn\/Cae1 - source learned \/id-in/);
}, 120_000);
