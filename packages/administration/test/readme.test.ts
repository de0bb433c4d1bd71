// Runs the README example as a program (in the package folder, so '@m2msec/administration' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example: CAdmin on plain HTTP is refused, the operator credential works, both are audited', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(
    [
      'plain HTTP as CAdmin: 4106',
      'TLS-PSK with the operator credential: 2000',
      'authentication-failure - 4106',
      'administrative-action operator 2000',
      '',
    ].join('\n'),
  );
}, 90_000);
