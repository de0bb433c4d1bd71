// Runs the README example as a program (in the package folder, so '@m2msec/sensitive-data' resolves to
// its sources): the Kpsa derived inside the SE serves a real TLS-PSK handshake, and the audit trail shows it.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: a Kpsa derived in the SE completes a TLS-PSK handshake with the enrolee', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(['server says ok', 'add:success derive:success use-psk:success']);
}, 150_000);
