// MAF-based SAEF across three processes (TS-0003 8.2.2.3, 8.8): the MAF (apps/maf), the IN-CSE as
// Entity B (a registered MAF client with its own Km and a notificationURI), and Entity A
// (m2msec-maf-client: MAF Key Registration, then one RETRIEVE over TLS-PSK with the Kc Key Identifier
// through the saef client SDK agent, no retry). A's first connection succeeds; a key registered for
// another CSE, an expired key and a deregistered key are refused; B never holds A's Km.
// Needs built dists: pnpm --filter @m2msec/in-cse... --filter @m2msec/maf-app build.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_FQDN, MAF_FQDN, type MafProcess, runEntityA, startMafProcess } from './maf-setup.js';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

const ID_A = '//m2msec.org/id-in/CmafA';
const ID_B = '//m2msec.org/id-in';
const kmA = randomBytes(32);
const kmB = randomBytes(32);
const kmIdA = `entity-a@${MAF_FQDN}`;
const kmIdB = `in-cse@${MAF_FQDN}`;

let maf: MafProcess;
let b: SecureInCse;

beforeAll(async () => {
  maf = await startMafProcess();
  maf.admin(['add-km', '--km-id', kmIdA, '--client-id', ID_A, '--key-file', '-'], kmA.toString('hex'));
  maf.admin(['add-km', '--km-id', kmIdB, '--client-id', ID_B, '--key-file', '-'], kmB.toString('hex'));
  const prepared = await prepareSecureInCse(
    { maf: { url: maf.pskUrl, fqdn: MAF_FQDN, kmId: kmIdB, adminFQDN: ADMIN_FQDN } },
    // MAF-based SAEF sessions carry the Credential-ID 12-<Key Identifier> (TS-0003 10.4).
    {
      registration: {
        appRules: [
          { name: 'maf-clients', applicableCredIDs: ['12-*'], allowedAppIDs: ['Nmaf'], allowedAEs: ['CmafA'] },
        ],
      },
    },
  );
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-km', '--id', kmIdB, '--key-file', '-'],
    kmB.toString('hex'),
  );
  b = await prepared.start();
  // B registers at the MAF in the background at start: wait for its registration.
  const deadline = Date.now() + 30_000;
  while (!JSON.parse(maf.admin(['list-registrations'])).some((r: { clientId: string }) => r.clientId === ID_B)) {
    if (Date.now() > deadline) throw new Error(`the IN-CSE did not register at the MAF: ${b.cse.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await b?.cse.stop();
  await maf?.stop();
});

const entityA = (extra: string[] = [], target = ID_B) =>
  runEntityA(
    [
      '--maf-url',
      maf.pskUrl,
      '--maf-fqdn',
      MAF_FQDN,
      '--km-id',
      kmIdA,
      '--admin-fqdn',
      ADMIN_FQDN,
      '--target',
      target,
      '--cse-url',
      `https://127.0.0.1:${b.pskPort}`,
      '--to',
      'cse-in',
      '--from',
      'CmafA',
      '--register-ae',
      'Nmaf',
      ...extra,
    ],
    kmA,
  );

const step = (r: Awaited<ReturnType<typeof entityA>>, name: string) => r.steps.find((s) => s.step === name);

/** B logged the refusal of this Key Identifier's handshake (identity and reason, never a key). */
const refusedByB = (keyIdentifier: string) =>
  b.cse
    .output()
    .split('\n')
    .some((l) => l.includes('PSK handshake refused') && l.includes(keyIdentifier));

describe('MAF-based SAEF: MAF, IN-CSE (B) and AE (A) as processes', () => {
  it("A's FIRST connection to B succeeds: the MAF told B, B retrieved Kc before A connected", async () => {
    const r = await entityA();
    expect(r.code, r.stderr).toBe(0);
    const reg = step(r, 'key-registered')!;
    expect(reg.keyIdentifier).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    expect(reg.notifiedTargets).toEqual({ [ID_B]: 'held' });
    const first = step(r, 'first-connection')!;
    expect(first.ok).toBe(true);
    // A registered as AE CmafA: the session is bound to the AE-ID the MAF named for A.
    expect(first.rsc).toBe(2001);
    expect(JSON.parse(first.body)['m2m:ae'].aei).toBe('CmafA');
    // B refused no handshake on the way (no retry was needed).
    expect(refusedByB(reg.keyIdentifier)).toBe(false);
  });

  it('a key registered for another CSE is refused by B', async () => {
    const r = await entityA([], '//m2msec.org/id-other');
    expect(step(r, 'key-registered')!.notifiedTargets).toEqual({ '//m2msec.org/id-other': 'not-registered' });
    expect(r.code).toBe(3);
    expect(step(r, 'first-connection')!.ok).toBe(false);
    expect(refusedByB(step(r, 'key-registered')!.keyIdentifier)).toBe(true);
  });

  it('an expired key is refused by B', async () => {
    const r = await entityA(['--lifetime-seconds', '2', '--wait-ms', '3500']);
    expect(step(r, 'key-registered')!.notifiedTargets).toEqual({ [ID_B]: 'held' });
    expect(r.code).toBe(3);
    expect(step(r, 'first-connection')!.ok).toBe(false);
    expect(refusedByB(step(r, 'key-registered')!.keyIdentifier)).toBe(true);
  });

  it('a deregistered key is refused by B', async () => {
    const r = await entityA(['--deregister-first', 'true']);
    expect(step(r, 'key-registered')!.notifiedTargets).toEqual({ [ID_B]: 'held' });
    expect(step(r, 'key-deregistered')!.notifiedTargets).toEqual({ [ID_B]: 'released' });
    expect(r.code).toBe(3);
    expect(step(r, 'first-connection')!.ok).toBe(false);
    expect(refusedByB(step(r, 'key-registered')!.keyIdentifier)).toBe(true);
  });

  it("B never learns A's Km: not in its logs, not in its credential store", async () => {
    const logs = b.cse.output();
    for (const form of [kmA.toString('hex'), kmA.toString('base64'), kmA.toString('base64url')]) {
      expect(logs).not.toContain(form);
    }
    await b.cse.stop();
    const list = credentialsCli(b.configPath, b.dataDir, ['list']);
    expect(list).toContain(`Km\t${kmIdB}`);
    expect(list).not.toContain(kmIdA);
    const keystore = readFileSync(join(b.dataDir, 'keystore.json'), 'utf8');
    expect(keystore).not.toContain(kmA.toString('hex'));
    expect(keystore).not.toContain(kmA.toString('base64'));
  });
});
