// The MAF's key lifecycle lines (issue 19 item 2): a key registered, rotated (its update) and de-registered
// each give one line with the Key Identifier and the Targets, read from the MAF's logger; no key (the
// registered value, the clients' Km) appears in any line, in hex or base64.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_FQDN, inMinutes, startTestMaf, type TestMaf } from './helpers.js';

const A = '//m2msec.org/id-in/Cae1';
const B = '//m2msec.org/id-in';
const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
let t: TestMaf;

beforeAll(async () => {
  t = await startTestMaf({
    log: {
      info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
      warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    },
  });
}, 60_000);

afterAll(() => t?.close());

it('a key registration, its update and its de-registration are lifecycle lines without the key', async () => {
  const a = await t.client(A);
  const b = await t.client(B);
  for (const x of [a, b]) await x.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
  const keyValue = randomBytes(32);
  const k = await a.registerKey({
    adminFQDN: ADMIN_FQDN,
    expirationTime: inMinutes(5),
    suid: 32,
    targetIDs: [B],
    keyValue,
  });
  await a.updateKey(k.keyIdentifier, { expirationTime: inMinutes(10) });
  await a.deregisterKey(k.keyIdentifier);

  const lifecycle = lines.filter((l) => l.fields?.kind === 'lifecycle');
  expect(lifecycle.map((l) => [l.message, l.fields])).toEqual([
    ['key registered', { kind: 'lifecycle', event: 'key-registered', keyIdentifier: k.keyIdentifier, targetIDs: [B] }],
    ['key updated', { kind: 'lifecycle', event: 'key-updated', keyIdentifier: k.keyIdentifier, targetIDs: [B] }],
    [
      'key deregistered',
      { kind: 'lifecycle', event: 'key-deregistered', keyIdentifier: k.keyIdentifier, targetIDs: [B] },
    ],
  ]);
  const text = JSON.stringify(lines);
  for (const secret of [keyValue, a.km, b.km]) {
    for (const enc of ['hex', 'base64', 'base64url'] as const) expect(text).not.toContain(secret.toString(enc));
  }
}, 60_000);
