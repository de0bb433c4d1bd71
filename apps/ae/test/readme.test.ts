// The README's process example runs as written (its ports swapped for free ones): a Kpsa provisioned at the
// built IN-CSE, the AE process registering over TLS-PSK and posting, then a second run reading it back.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the AE registers over TLS-PSK, posts, and a second run reads the reading back', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example (the process)', ports: [8443, 8080, 9467] });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('added Kpsa dev1@mef.m2msec.org (Credential-ID 12-dev1@mef.m2msec.org)');
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
  expect(events.map((e) => [e.event, e.aeId ?? e.rsc])).toEqual([
    ['ready', '/id-in/Cdev1'],
    ['response', 2001],
    ['ready', '/id-in/Cdev1'],
    ['response', 2000],
  ]);
  expect(events[3]!.pc['m2m:cin']).toMatchObject({ con: '21.5', ri: events[1]!.pc['m2m:cin'].ri });
}, 90_000);
