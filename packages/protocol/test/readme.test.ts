// Runs the README example as a program (in the package folder, so '@m2msec/protocol' resolves to its sources)
// and checks that it prints what its comments say (issue 19 item 8: docs that match the code).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example refuses the bad container with the status and text its comment shows', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(
    `4000 BAD_REQUEST {\n  'm2m:dbg': "attribute 'mni' of m2m:cnt must be a non-negative integer up to 2^53-1"\n}\n`,
  );
}, 150_000);
