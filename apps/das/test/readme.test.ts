// The README's example runs as written (its ports swapped for free ones): the built DAS answers a guest the
// rule names with dynamicACPInfo and a stranger with nothing, and logs both consultations.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: the guest is granted a policy, the stranger nothing', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example', ports: [8090, 9466] });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const [guest, stranger, ...logged] = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
  expect(guest).toMatchObject({
    'm2m:seci': { sit: 2, dres: { dai: { gp: { acr: [{ acor: ['/id-in/Cguest'], acop: 2 }] } } } },
  });
  expect(guest!['m2m:seci'].dres.dai.pl).toMatch(/^\d{8}T\d{6}/);
  expect(stranger).toEqual({ 'm2m:seci': { sit: 2, dres: {} } });
  expect(logged.map((l) => [l.event, l.dreq.or, l.rule])).toEqual([
    ['consultation', '/id-in/Cguest', 'guests read'],
    ['consultation', '/id-in/Cstranger', null],
  ]);
}, 90_000);
