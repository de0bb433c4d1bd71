// Runs the README example as a program (in the package folder, so '@m2msec/authorization' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example runs and prints what its comment says', async () => {
  const r = await runReadmeExample(pkg);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('true');
});
