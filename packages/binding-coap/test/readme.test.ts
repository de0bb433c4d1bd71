// Runs the README example as a program (in the package folder, so '@m2msec/binding-coap' resolves to its
// sources): a real CSE behind the CoAP binding over DTLS-PSK, an AE registering and reading its <AE>.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: an AE registers over coaps (DTLS-PSK) and reads its <AE>', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('2001 2000 Cae1');
}, 150_000);
