// Runs the README example as a program (in the package folder, so '@m2msec/node' resolves to its sources):
// two composed nodes, the MN-CSE registering to the IN-CSE over a real TLS-PSK association.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the MN-CSE registers over TLS-PSK and the IN-CSE holds its <remoteCSE>', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
    section: 'Example',
    timeoutMs: 150_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('2000 /id-mn');
}, 180_000);
