// The README's example runs as written (its ports swapped for free ones) against the built MEF and CLI, and
// prints what the README says: the enrolee, the enrolment, `show`, the revocation and two lifecycle lines.
import { fileURLToPath } from 'node:url';
import { runReadmeShell } from '@m2msec/test-support';
import { expect, it } from 'vitest';

it('README example: register an enrolee, enrol over TLS-PSK, revoke, read the lifecycle lines', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const r = await runReadmeShell(dir, { section: 'Example', ports: [8443, 8081, 9465], timeoutMs: 90_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(6);
  const [enrolee, enrolment, shown, revoked, provisioned, revokedLine] = lines;
  expect(enrolee).toMatchObject({ principal: 'psk:kpm-0001', enroleeId: 'Csensor1' });
  const keId = enrolment!.keID as string;
  expect(keId).toMatch(/^[0-9a-f]{32}@mef\.m2msec\.org$/);
  expect(enrolment).toMatchObject({ enroleeID: 'Csensor1', targets: [{ targetId: '/id-in', suid: 22 }] });
  expect(shown).toMatchObject({ keID: keId, enroleeID: 'Csensor1', targets: ['/id-in'] });
  expect(revoked).toEqual({ revoked: keId });
  expect(provisioned).toMatchObject({ kind: 'lifecycle', event: 'key-provisioned', keId, enroleeId: 'Csensor1' });
  expect(revokedLine).toMatchObject({ kind: 'lifecycle', event: 'key-revoked', by: 'admin', keId });
}, 120_000);
