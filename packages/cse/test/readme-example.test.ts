// The README example runs as written and prints what the README says.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: register, create, and a stranger is refused', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), { section: 'Example' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe('2001 2001 4103');
});
