// Runs the README example as a program (in the package folder, so '@m2msec/security-association' resolves
// to its sources): a real TLS-PSK session with a Kpsa from the CredentialStore becomes an association whose
// Credential-ID the request's TransportContext carries.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: a Kpsa handshake becomes an association the TransportContext carries', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('2000 {"boundIds":[],"credentialId":"12-kpsa1@mef.m2msec.org","framework":"psk"}');
}, 150_000);
