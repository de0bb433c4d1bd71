// Runs the README example as a program (in the package folder, so '@m2msec/binding-http' resolves to its
// sources): a RETRIEVE travels through HttpRequestSender and the binding over real loopback HTTP and back.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: a RETRIEVE round-trips through the sender and the binding', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 90_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe("{ rsc: 2000, rqi: 'r1', pc: { to: 'cse-in', peer: '127.0.0.1' } }");
}, 120_000);
