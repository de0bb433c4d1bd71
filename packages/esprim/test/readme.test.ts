// Runs the README example as a program (in the package folder, so '@m2msec/esprim' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example protects, opens, answers and refuses the replay', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 90_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/inner request 2 \/id-in\/cse-in\/data from \/id-mn\/Cae1/);
  expect(r.stdout).toMatch(/inner response 2000/);
  expect(r.stdout).toMatch(/replay refused with 5210/);
}, 120_000);
