// Runs the README example as a program (in the package folder, so '@m2msec/store' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('runs the README example as written', async () => {
  const r = await runReadmeExample(pkg);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe("Nsensor 1 [ 'C1' ]\n");
});
