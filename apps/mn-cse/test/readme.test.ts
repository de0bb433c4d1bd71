// The README's process example runs as written (its ports swapped for free ones): the built IN-CSE with a
// Kpsa bound to /id-mn, the MN-CSE process registering over TLS-PSK, an AE at the MN-CSE writing to the
// IN-CSE through it.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: registered over TLS-PSK, an AE request forwarded to the IN-CSE', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example (the process)', ports: [8443, 8080, 8081] });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('added Kpsa kpsa-mn@mef.m2msec.org (Credential-ID 12-kpsa-mn@mef.m2msec.org)');
  expect(JSON.parse(lines[1]!)).toMatchObject({ cseId: '/id-mn', registration: { state: 'registered' } });
  expect(JSON.parse(lines[2]!)).toMatchObject({ 'm2m:ae': { aei: 'Cdev', api: 'Nsensor' } });
  expect(lines.slice(3)).toEqual(['"csi":"/id-mn"', '201', '"con":"21.5"']);
}, 90_000);
