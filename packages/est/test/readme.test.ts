// Runs the README example as a program (in the package folder, so '@m2msec/est' resolves to its sources):
// a real EST enrolment over TLS-PSK with channel binding returns a certificate the CA signed, with the SAN asked for.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example enrols over TLS-PSK with channel binding and gets a certificate from the CA', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('issued URI:https://m2m.example.com/Cae1 true');
}, 150_000);
