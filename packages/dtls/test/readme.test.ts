// Runs the README example as a program (in the package folder, so '@m2msec/dtls' resolves to its sources):
// a real DTLS-PSK handshake over the system OpenSSL completes and application data round-trips.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: a PSK client completes the handshake and gets its datagram echoed', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('echo:hello PSK-AES128-CCM8');
}, 120_000);
