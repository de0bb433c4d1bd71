// The README example runs as written and prints what the README says it prints.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example logs, counts the refusal and answers /readyz', async () => {
  const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), { section: 'Example' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const json = lines.map((l) => JSON.parse(l));
  expect(json.filter((l) => l.kind === 'access')).toHaveLength(2);
  expect(json.find((l) => l.kind === 'security')).toMatchObject({ reason: 'originator-has-no-privilege', rsc: 4103 });
  expect(r.stdout).toContain('m2msec_refusals_total{reason="originator-has-no-privilege",app="example"} 1');
  expect(r.stdout.trim().endsWith('200')).toBe(true);
});
