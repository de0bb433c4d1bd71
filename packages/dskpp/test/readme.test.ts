// Runs the README example as a program (in the package folder, so '@m2msec/dskpp' resolves to itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example runs and provisions a key on both ends', async () => {
  const r = await runReadmeExample(pkg, { section: 'Example' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^provisioned [0-9a-f]{32} http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc until \d{4}-/);
  expect(r.stdout).toMatch(/server holds it too: true - attestation true/);
}, 90_000);
