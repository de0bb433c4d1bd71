// Runs the README example as a program (in the package folder, so '@m2msec/saef' resolves to its sources):
// a real TLS-PSK handshake with the client SDK, and the server sees the identity the handshake proved.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the client SDK completes a TLS-PSK handshake and the server names its identity', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('2000 kpsa1@mef.example.com');
}, 120_000);
