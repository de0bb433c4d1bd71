// Runs the README example as a program (in the package folder, so '@m2msec/esdata' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example signs, encrypts, stores and opens a content value', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 90_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/stored cnf application\/json:0:1 con is JOSE: true/);
  expect(r.stdout).toMatch(/content \{"temperature":21.5\} signed by 51-\/id-mn\/Csensor/);
}, 120_000);
