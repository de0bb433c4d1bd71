// The README's example runs as written (its ports swapped for free ones) and prints what the README says.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: register, refuse, count, log', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example', ports: [8080, 9464] });
  const out = r.stdout + r.stderr;
  expect(r.status, out).toBe(0);
  expect(r.stdout).toMatch(/"m2m:ae":\{[^\n]*"aei":"Cmeter"/);
  expect(r.stdout).toMatch(/^403$/m);
  expect(r.stdout).toContain('m2msec_requests_total{op="1",rsc="2001",binding="http",app="in-cse"} 2');
  expect(r.stdout).toContain('m2msec_requests_total{op="2",rsc="4103",binding="http",app="in-cse"} 1');
  const security = JSON.parse(r.stdout.split('\n').find((l) => l.includes('"kind":"security"'))!);
  expect(security).toMatchObject({ reason: 'originator-has-no-privilege', originator: 'Cother', rsc: 4103 });
}, 90_000);
