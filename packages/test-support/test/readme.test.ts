// Runs this package's own README example with runReadmeExample (which it also documents): the leaf the
// TestCa issues carries the SAN asked for and verifies under the CA.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runReadmeExample } from '../src/index.js';

it('README example: the TestCa issues a leaf with the SAN that verifies under the CA', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('URI:m2m://m2msec.org/id-in/Cae1 true true');
}, 120_000);

it('runReadmeExample refuses a README without the section asked for', async () => {
  await expect(
    runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), { section: 'No such section' }),
  ).rejects.toThrow(/no ```ts block/);
});
