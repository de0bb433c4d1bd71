// Runs the README example as a program (in the package folder, so '@m2msec/authentication' resolves to
// its sources) and checks what it prints: the bound AE is authenticated, an impersonator gets 4106.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the bound AE is authenticated, another AE-ID on the same association is refused', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([
    'true /id-in/Cae1 psk-1',
    "4106 originator '/id-in/Cae2' is not an identity bound to this security association",
  ]);
}, 120_000);
