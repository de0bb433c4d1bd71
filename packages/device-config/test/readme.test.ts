// Runs the README example as a program (in the package folder, so '@m2msec/device-config' resolves to its
// sources): over real TLS-PSK, the request after switchTo is authenticated with the new credential.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: after switchTo the registrar sees the new PSK identity on the next request', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(['kpsa-old@mef.m2msec.org', 'kpsa-new@mef.m2msec.org']);
}, 120_000);
