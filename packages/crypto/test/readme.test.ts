// Runs the README example as a program (in the package folder, so '@m2msec/crypto' resolves to its sources)
// and checks that it prints what its comments say (issue 19 item 8: docs that match the code).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README example derives, tags and checks replays as its comments say', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example', timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^KeID [0-9a-f]{32}@mef\.example\.com mef\.example\.com$/);
  expect(lines.slice(1)).toEqual([
    'Km 32 bytes; SAEF key 32 bytes',
    'tag ok true',
    "{ ok: false, reason: 'duplicate' } { ok: false, reason: 'too-old' } AQEAAP_______wAAAAAAAAAB",
  ]);
}, 150_000);
