// The README's example runs as written (its ports swapped for free ones): the MAF, its operator CLI, the
// built IN-CSE as Entity B and the Entity A command, each its own process; Entity A's first connection
// registers its <AE> over TLS-PSK with the Kc the MAF distributed.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: Km provisioned, the IN-CSE registered at the MAF, Entity A connects with Kc', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example', ports: [8443, 8444, 8082, 8080], timeoutMs: 100_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const steps = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"step"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(steps.map((s) => s.step)).toEqual(['client-registered', 'key-registered', 'first-connection']);
  expect(steps[0]).toMatchObject({ mafClientID: '//m2msec.org/id-in/Cae1' });
  expect(steps[1]).toMatchObject({
    keyIdentifier: expect.stringMatching(/^[0-9a-f]{32}@maf\.m2msec\.org$/),
    notifiedTargets: { '//m2msec.org/id-in': 'held' },
  });
  expect(steps[2]).toMatchObject({ ok: true, status: 201, rsc: 2001 });
  expect(JSON.parse(steps[2]!.body as string)).toMatchObject({ 'm2m:ae': { aei: 'Cae1', api: 'Nmaf' } });
}, 130_000);
