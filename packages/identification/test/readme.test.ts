// Runs the README example as a program (in the package folder, so '@m2msec/identification' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example runs and prints what its comments say', async () => {
  const r = await runReadmeExample(pkg);
  expect(r.stderr).toBe('');
  const [first, second] = r.stdout.trim().split('\n');
  expect(first).toMatch(/^unassigned-ae \/id-in\/C[a-z2-7]{26} meters$/);
  expect(second).toBe(first!.split(' ')[1]);
});
