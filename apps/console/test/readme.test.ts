// The README's example runs as written (its ports swapped for free ones): an openssl PKI, the built IN-CSE
// in the secure profile, the console CLI over its administrator certificate, and the console process.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: an account, the IN-CSE credentials through the CLI, the console serving', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, {
    section: 'Example',
    ports: [8443, 8080, 8090, 9464, 9094],
    timeoutMs: 100_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('added Kpsa dev1@mef.m2msec.org (Credential-ID 12-dev1@mef.m2msec.org)');
  expect(JSON.parse(lines[1]!)).toEqual({ name: 'ops' });
  const credentials = JSON.parse(lines[2]!) as Array<Record<string, unknown>>;
  expect(credentials).toEqual([expect.objectContaining({ keyId: 'dev1@mef.m2msec.org', boundIds: ['/id-in/Cdev1'] })]);
  expect(lines[3]).toBe('200 text/html; charset=utf-8');
}, 130_000);
