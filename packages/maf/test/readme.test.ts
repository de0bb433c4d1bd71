// Runs the README example as a program (in the package folder, so '@m2msec/maf' resolves to its sources):
// a real MAF, two MAF Handshakes over TLS-PSK, a key registered by the Source and retrieved by the Target.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the Target retrieves the Kc the Source registered, under its Key Identifier', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toMatch(/^[0-9a-f]{32}@maf\.m2msec\.org true$/);
}, 150_000);
