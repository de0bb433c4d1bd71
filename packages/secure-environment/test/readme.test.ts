// Runs the README example as a program (in the package folder, so '@m2msec/secure-environment' resolves to its sources)
// and checks that it prints what its comments say (issue 19 item 8: docs that match the code).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example audits each operation and the provisioning attestation verifies', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/operation: 'import-key',\n\s+outcome: 'success',\n\s+keyId: 'Ke'/);
  expect(r.stdout).toMatch(/operation: 'derive-key',\n\s+outcome: 'success',\n\s+keyId: 'KmID@maf\.example\.com'/);
  expect(r.stdout.trim().split('\n').at(-1)).toBe('true');
}, 150_000);
